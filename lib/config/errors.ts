/**
 * Error types for environment values. Every problem names the file, the key path and the reason, in the
 * form `environments/prod.yaml: traffic.green: weights must sum to 100 (got 150)`.
 */

/** A key path inside a values file: mapping keys and array indices. */
export type KeyPath = ReadonlyArray<string | number>;

/** One problem found in one values file. */
export interface ConfigIssue {
  /** The file the problem is in, relative to the working directory where possible. */
  readonly file: string;
  /** The key path of the offending value; empty for whole-file problems (missing file, invalid YAML). */
  readonly path: KeyPath;
  /** Why the value is wrong, and where possible what would be right. */
  readonly message: string;
}

/** Formats a key path as `a.b[2].c`. */
export function formatKeyPath(path: KeyPath): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key),
    '',
  );
}

/** Formats one issue as a single line: `file: key.path: reason` (or `file: reason` for whole-file problems). */
export function formatIssue(issue: ConfigIssue): string {
  const where = formatKeyPath(issue.path);
  return where ? `${issue.file}: ${where}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}

/** Thrown when any environment's values are invalid; carries every issue found across all files. */
export class ConfigError extends Error {
  /** Every problem found, in file order. */
  public readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`invalid environment values (${count}):\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
