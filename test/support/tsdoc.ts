// Finds exported symbols without TSDoc, read with the TypeScript compiler API from a module's exports.
import * as path from 'path';
import * as ts from 'typescript';
import { exportedSymbols } from '../../bin/readme-props';

/** One missing piece of documentation: where it is and what lacks it. */
export interface TsdocFinding {
  readonly where: string;
  readonly name: string;
}

/** What {@link checkTsdoc} found, one list per rule. */
export interface TsdocReport {
  /** Every name the module exports. */
  readonly exported: string[];
  /** Exports without a summary. */
  readonly noSummary: TsdocFinding[];
  /** Public members of exported classes and interfaces without a summary. */
  readonly memberNoSummary: TsdocFinding[];
  /** Optional props of exported `*Props` / `*Options` interfaces without `@default`. */
  readonly noDefault: TsdocFinding[];
  /** Types and values named in public signatures that this repository declares but the entries do not export. */
  readonly unexported: TsdocFinding[];
}

/** Declarations written in this repository (not inherited from cdktf, constructs or the providers). */
function ownDeclarations(symbol: ts.Symbol): ts.Declaration[] {
  return (symbol.declarations ?? []).filter((d) => !d.getSourceFile().fileName.includes('/node_modules/'));
}

function isPublic(decl: ts.Declaration): boolean {
  const flags = ts.getCombinedModifierFlags(decl);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  const name = ts.getNameOfDeclaration(decl);
  return !(name && ts.isPrivateIdentifier(name)) && !ts.getJSDocTags(decl).some((t) => t.tagName.text === 'internal');
}

/**
 * Calls `found` for every type or `typeof` reference in the public surface of `decl`: types of variables, props
 * and parameters, signatures of public functions and members, heritage clauses and type aliases; never
 * initializers, bodies, or private and protected members.
 */
function visitPublicTypeReferences(decl: ts.Node, found: (name: ts.EntityName | ts.Expression) => void): void {
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) || ts.isPropertyDeclaration(n) || ts.isParameter(n) || ts.isPropertySignature(n)) {
      if ((ts.isPropertyDeclaration(n) || ts.isParameter(n)) && !isPublic(n)) return;
      if (n.type) visit(n.type);
      return;
    }
    if (ts.isFunctionLike(n)) {
      if (!ts.isFunctionTypeNode(n) && !ts.isConstructorTypeNode(n) && !isPublic(n)) return;
      n.typeParameters?.forEach(visit);
      n.parameters.forEach(visit);
      if (n.type) visit(n.type);
      return;
    }
    if (ts.isTypeReferenceNode(n)) found(n.typeName);
    else if (ts.isExpressionWithTypeArguments(n)) found(n.expression);
    else if (ts.isTypeQueryNode(n)) found(n.exprName);
    ts.forEachChild(n, visit);
  };
  visit(decl);
}

/** Checks the TSDoc of everything the `entries` export (each symbol once), compiled with the options of `tsconfig`. */
export function checkTsdoc(entries: readonly string[], tsconfig: string): TsdocReport {
  const root = path.dirname(tsconfig);
  const configFile = ts.readConfigFile(tsconfig, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const program = ts.createProgram({ rootNames: [...entries], options: { ...parsed.options, noEmit: true } });
  const checker = program.getTypeChecker();
  const where = (decl: ts.Declaration): string => {
    const sf = decl.getSourceFile();
    return `${path.relative(root, sf.fileName)}:${sf.getLineAndCharacterOfPosition(decl.getStart()).line + 1}`;
  };
  const hasSummary = (symbol: ts.Symbol): boolean =>
    ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim().length > 0;

  // each symbol once, also when two entries export it; namespace members (`digitalocean.LogStore`) too
  const resolved = exportedSymbols(
    checker,
    entries.map((entry) => checker.getSymbolAtLocation(program.getSourceFile(entry)!)!),
  );

  const noSummary: TsdocFinding[] = [];
  const memberNoSummary: TsdocFinding[] = [];
  const noDefault: TsdocFinding[] = [];
  const unexported: TsdocFinding[] = [];
  for (const [symbol, name] of resolved) {
    const decls = ownDeclarations(symbol);
    for (const decl of decls) {
      visitPublicTypeReferences(decl, (ref) => {
        let target = checker.getSymbolAtLocation(ref);
        if (target && target.flags & ts.SymbolFlags.Alias) target = checker.getAliasedSymbol(target);
        if (
          !target ||
          target.flags & ts.SymbolFlags.TypeParameter ||
          resolved.has(target) ||
          ownDeclarations(target).length === 0
        )
          return;
        const finding = {
          where: where(ref as ts.Node as ts.Declaration),
          name: `${name} uses ${target.getName()}, which is not exported`,
        };
        if (!unexported.some((f) => f.name === finding.name)) unexported.push(finding);
      });
    }
    if (decls.length === 0) continue;
    if (!hasSummary(symbol)) noSummary.push({ where: where(decls[0]), name });
    if (!(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) continue;
    const isProps = symbol.flags & ts.SymbolFlags.Interface && /(Props|Options)$/.test(name);
    const statics =
      symbol.flags & ts.SymbolFlags.Class ? checker.getPropertiesOfType(checker.getTypeOfSymbol(symbol)) : [];
    for (const member of [...checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)), ...statics]) {
      if (member.getName() === 'prototype') continue;
      for (const decl of ownDeclarations(member).filter(isPublic)) {
        const label = `${name}.${member.getName()}`;
        if (!hasSummary(member)) memberNoSummary.push({ where: where(decl), name: label });
        const optional = ts.isPropertySignature(decl) && decl.questionToken !== undefined;
        if (isProps && optional && !ts.getJSDocTags(decl).some((t) => t.tagName.text === 'default')) {
          noDefault.push({ where: where(decl), name: label });
        }
      }
    }
  }
  return { exported: [...resolved.values()], noSummary, memberNoSummary, noDefault, unexported };
}

/** One finding per line, `<file>:<line> <name>`, for a readable failure. */
export function formatFindings(findings: readonly TsdocFinding[]): string {
  return findings.map((f) => `${f.where} ${f.name}`).join('\n');
}
