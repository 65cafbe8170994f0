/**
 * Errors for props a user got wrong, as opposed to bugs: the message alone says everything (construct path, the
 * value, the limit and the fix), so the app prints it without a stack trace (see `main.ts`).
 */
import { Token } from 'cdktf';
import { IConstruct } from 'constructs';

/** A construct refused its props. The message is `<construct path>: <what is wrong, the value, the limit>. Fix: <fix>`. */
export class ConstructPropsError extends Error {
  /** The path of the construct that refused its props. */
  public readonly constructPath: string;

  constructor(constructPath: string, problem: string) {
    super(`${constructPath}: ${problem}`);
    this.name = 'ConstructPropsError';
    this.constructPath = constructPath;
  }
}

/** Throws a {@link ConstructPropsError} for `scope`: `problem` names the prop, the value, the limit and the fix. */
export function refuseProps(scope: IConstruct, problem: string): never {
  throw new ConstructPropsError(scope.node.path, problem);
}

/**
 * Whether a prop value is, or holds, an unresolved token (a string, number or list token, or a list with one): only
 * Terraform knows such a value, so construction-time checks skip it.
 */
export function isUnresolvedValue(value: unknown): boolean {
  if (Token.isUnresolved(value)) return true;
  return Array.isArray(value) && value.some((v) => Token.isUnresolved(v));
}

/**
 * Checks one prop at construction time, the way every construct of this library does: a value that is (or holds) an
 * unresolved token, or `undefined` (an optional prop left out), is skipped; otherwise `problem(value)` says what is wrong, as `<prop> <value> <limit>. Fix: <fix>`,
 * and the construct refuses its props with its path ({@link refuseProps}), or returns `undefined` for a good value.
 */
export function checkProp<T>(scope: IConstruct, value: T | undefined, problem: (value: T) => string | undefined): void {
  if (value === undefined || isUnresolvedValue(value)) return;
  const found = problem(value);
  if (found !== undefined) refuseProps(scope, found);
}

/** One construct's validation: `check` is {@link checkProp} (skips tokens), `fail` is {@link refuseProps}; both name its path. */
export interface PropsValidator {
  /** Refuses the props when `problem(value)` returns a reason; skipped when the value is (or holds) an unresolved token. */
  check<T>(value: T | undefined, problem: (value: T) => string | undefined): void;
  /** Refuses the props now, for a problem no token can hide (a missing or empty required prop). */
  fail(problem: string): never;
}

/** The {@link PropsValidator} of `scope`. */
export function propsValidator(scope: IConstruct): PropsValidator {
  return {
    check: (value, problem) => checkProp(scope, value, problem),
    fail: (problem) => refuseProps(scope, problem),
  };
}

/**
 * Input a pure renderer refused (`lib/agents`, `lib/config/cidr.ts`): the message says what is wrong, the value, the
 * limit and `Fix: ...`, but names no construct, since a renderer has none. The construct that calls the renderer
 * turns it into its own {@link ConstructPropsError} with {@link renderFor}; a command turns it into its usage error.
 */
export class RenderInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderInputError';
  }
}

/**
 * Runs a renderer for `scope`: a {@link RenderInputError} it throws becomes `scope`'s {@link ConstructPropsError}
 * (same message, prefixed with the construct path); any other error (a bug) passes unchanged.
 */
export function renderFor<T>(scope: IConstruct, render: () => T): T {
  try {
    return render();
  } catch (e) {
    if (e instanceof RenderInputError) refuseProps(scope, e.message);
    throw e;
  }
}
