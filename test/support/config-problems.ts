import * as path from 'path';
import { ConfigError, formatIssue, loadEnvironments } from '../../lib/config';

/**
 * Loads the values in `dir` and returns the formatted problem lines (`environments/<file>: <key.path>: <reason>`),
 * relative to the directory's parent. Fails the test if loading succeeds or throws anything but a ConfigError.
 */
export function configProblems(dir: string, only?: string[]): string[] {
  try {
    loadEnvironments({ dir, only });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const rel = path.dirname(dir);
    return (e as ConfigError).issues.map((i) =>
      formatIssue(i)
        .split(rel + path.sep)
        .join(''),
    );
  }
  throw new Error('expected the values to be rejected');
}
