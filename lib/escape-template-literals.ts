/**
 * Literal text in Terraform JSON, escaped once for every source.
 *
 * In a `*.tf.json` file every string is a template: `${...}` is an interpolation and `%{...}` a directive, so a
 * literal `${LOG_STORE_PASSWORD}` in an output, a `%{` in a tag value or a shell `${HOME}` in user data makes
 * `terraform validate` fail (or, worse, read a reference nobody meant). The literal forms are `$${` and `%%{`.
 *
 * cdktf writes real references as tokens; until they are resolved, an element's `toTerraform()` holds them as
 * markers (`${TfToken[TOKEN.12]}`), and everything else in its strings is literal text. {@link EscapeTemplateLiterals}
 * escapes that literal text, in values and object keys, nested, including raw overrides, just before cdktf
 * resolves the tokens; the markers stay, so references stay interpolations. Every `EnvironmentStack` carries
 * it, so rendered agent configs, bootstrap requests, outputs, tags, descriptions and the values users write in
 * `environments/*.yaml` are all covered by this one place. Nothing in the library writes `$${` by hand.
 *
 * Escaping is not idempotent, and must not be: `$${x}` written on purpose is literal text too, and comes out as
 * `$$${x}` (which Terraform reads back as `$${x}`). Each element is escaped exactly once per rendering.
 *
 * One exception: the `workspace` of a `terraform_remote_state` data source, where cdktf itself writes the expression
 * `${terraform.workspace}` as plain text for cross-stack references.
 *
 * Not covered: literal text inside a token, i.e. the arguments of `Fn.*` calls. cdktf escapes `${` there itself
 * but not `%{`; pass text that may hold either through {@link templateLiteralArgument}. The HCL output
 * (`hclOutput`) is not escaped.
 */
import { Fn, IAspect, Lazy, TerraformElement, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';

/** cdktf's marker of an unresolved string token, e.g. `${TfToken[TOKEN.12]}` (cdktf `encoding.ts`). */
const STRING_TOKEN_MARKER = /(\$\{TfToken\[[a-zA-Z0-9:._-]+\]\})/;
/** {@link STRING_TOKEN_MARKER}, every occurrence. */
const STRING_TOKEN_MARKERS = new RegExp(STRING_TOKEN_MARKER.source, 'g');
/** The start of an interpolation or a directive in a Terraform template. */
const TEMPLATE_START = /([$%])\{/g;

/**
 * Escapes `${` to `$${` and `%{` to `%%{` in a string, except in cdktf token markers (which become references).
 * Not idempotent: escape each string once.
 */
export function escapeTemplateSequences(text: string): string {
  if (!text.includes('{')) return text;
  // Most strings with a brace are only token markers (references): nothing to escape, and no split needed.
  if (!/[$%]\{/.test(text.replace(STRING_TOKEN_MARKERS, ''))) return text;
  const parts = text.split(STRING_TOKEN_MARKER);
  if (parts.length === 1) return text.replace(TEMPLATE_START, '$1$1{');
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return part;
      const escaped = part.replace(TEMPLATE_START, '$1$1{');
      // In a string that holds tokens, cdktf reads a `${` as the start of a hand-written expression and writes the
      // tokens after it without their braces (so `$${x ... <token>` would lose the reference). A literal part of
      // its own, as a token that resolves to the escaped text, is not parsed that way.
      return escaped.includes('${') ? Lazy.stringValue({ produce: () => escaped }) : escaped;
    })
    .join('');
}

/**
 * {@link escapeTemplateSequences} applied to every string of an unresolved Terraform JSON value: strings, array
 * items and object keys and values, nested. Tokens held as objects (`IResolvable`) and other non-plain objects
 * are returned as they are. Returns a new value; the input is not changed.
 */
export function escapeTemplateLiterals<T>(value: T): T {
  return escapeDeep(value) as T;
}

function escapeDeep(value: unknown): unknown {
  if (typeof value === 'string') return escapeTemplateSequences(value);
  if (Array.isArray(value)) return value.map(escapeDeep);
  if (value !== null && typeof value === 'object' && isPlainObject(value)) {
    // A loop, not Object.fromEntries(Object.entries(...).map(...)): this runs over every element of every stack,
    // and the three arrays per object were most of its cost. defineProperty keeps a `__proto__` key a key.
    const escaped: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = escapeDeep((value as Record<string, unknown>)[key]);
      const k = escapeTemplateSequences(key);
      if (k === '__proto__')
        Object.defineProperty(escaped, k, { value: v, enumerable: true, writable: true, configurable: true });
      else escaped[k] = v;
    }
    return escaped;
  }
  return value;
}

type Rendered = { data?: { terraform_remote_state?: Record<string, { workspace?: unknown }> } };

/**
 * The one expression cdktf itself writes as plain text: `workspace = "${terraform.workspace}"` of the
 * `terraform_remote_state` data source behind a cross-stack reference (cdktf `backends/*.ts`). Keep it as written.
 */
function keepRemoteStateWorkspace(raw: Rendered, escaped: Rendered): Rendered {
  const states = raw.data?.terraform_remote_state;
  for (const [id, state] of Object.entries(states ?? {})) {
    const target = escaped.data?.terraform_remote_state?.[id];
    if (target && state && 'workspace' in state) target.workspace = state.workspace;
  }
  return escaped;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A literal string argument for a Terraform function call (`Fn.join`, `Fn.jsonencode`, ...): `Fn.rawString` with
 * `%{` escaped as well (cdktf escapes `${`, quotes and newlines, but not `%{`).
 */
export function templateLiteralArgument(text: string): string {
  return Fn.rawString(text.replace(/%\{/g, '%%{'));
}

const ESCAPED = Symbol.for('cdktf-bluegreen.escape-template-literals');

/**
 * Aspect that escapes literal `${` and `%{` in everything a stack renders (see the module comment). Add it to any
 * stack: `Aspects.of(stack).add(new EscapeTemplateLiterals())`; every `EnvironmentStack` already has it. It runs
 * for `app.synth()`, `Testing.synth` and `enforceGuardrails`. Visiting a construct twice changes nothing.
 */
export class EscapeTemplateLiterals implements IAspect {
  /** Wraps the rendering of a Terraform element (or a stack's own raw overrides) with the escaping. */
  public visit(node: IConstruct): void {
    if (ESCAPED in node) return;
    if (TerraformElement.isTerraformElement(node)) {
      const render = node.toTerraform;
      define(node, 'toTerraform', function (this: TerraformElement) {
        const raw = render.call(this);
        return keepRemoteStateWorkspace(raw, escapeTemplateLiterals(raw));
      });
    } else if (TerraformStack.isStack(node)) {
      // A stack merges its own overrides (`stack.addOverride`) after its elements; escape them for the rendering.
      const render = node.toTerraform;
      define(node, 'toTerraform', function (this: TerraformStack) {
        const self = this as unknown as { rawOverrides: Record<string, unknown> };
        const raw = self.rawOverrides;
        self.rawOverrides = escapeTemplateLiterals(raw);
        try {
          return render.call(this);
        } finally {
          self.rawOverrides = raw;
        }
      });
    } else {
      return;
    }
    Object.defineProperty(node, ESCAPED, { value: true });
  }
}

function define(node: object, name: string, fn: (...args: never[]) => unknown): void {
  Object.defineProperty(node, name, { value: fn, configurable: true, writable: true });
}
