// Reading module specifiers out of TypeScript sources, for the tests that police imports (test/api/).
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** One module specifier in a file: the literal (`null` when computed), whether it is a re-export, its line. */
export interface ModuleSpecifier {
  readonly spec: string | null;
  readonly reexport: boolean;
  readonly line: number;
}

/** Every module specifier in a file: imports (also `import type`), re-exports, `require()`, `import()`. */
export function specifiers(file: string, text: string): ModuleSpecifier[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: ModuleSpecifier[] = [];
  const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ spec: node.moduleSpecifier.text, reexport: false, line: lineOf(node) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ spec: node.moduleSpecifier.text, reexport: true, line: lineOf(node) });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      out.push({ spec: ts.isStringLiteral(expr) ? expr.text : null, reexport: false, line: lineOf(node) });
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    ) {
      const arg = node.arguments[0];
      out.push({ spec: arg && ts.isStringLiteralLike(arg) ? arg.text : null, reexport: false, line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The `.ts` sources below `dir` (not declarations, not node_modules or dot-folders). */
export function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') ? [] : tsFiles(p);
    return /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}
