/**
 * Errors for props a user got wrong, as opposed to bugs: the message alone says everything (construct path, the
 * value, the limit and the fix), so the app prints it without a stack trace (see `main.ts`).
 */
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
