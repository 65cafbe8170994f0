import * as path from 'path';
import { ConfigError, formatIssue, loadEnvironments } from '../../lib/config';

/**
 * Loads a values directory (see `envDir`) and returns the reported problems as `file: key.path: reason` lines,
 * with file names relative to the temporary root (`environments/dev.yaml`). Fails the test when loading succeeds
 * or throws anything but a {@link ConfigError}.
 */
export function configProblems(dir: string, only?: string[]): string[] {
  try {
    loadEnvironments({ dir, only });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const rel = path.dirname(dir);
    return (e as ConfigError).issues.map((i) => formatIssue(i).split(rel + path.sep).join(''));
  }
  throw new Error('expected the values to be rejected');
}
