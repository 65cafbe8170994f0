/**
 * The log of a deploy: every line it prints also goes to a file of its record (`deploy.log`, then `archive.log` once
 * the manifest has sealed `deploy.log`), with the time since it started.
 */
import * as fs from 'fs';

/** A deploy's output, written both to its writers and to the current log file. */
export class DeployLog {
  private fd: number;
  private readonly startedMs = Date.now();

  /**
   * Opens (appends to) `file`.
   * @param file the log file
   * @param stdout where progress and cdktf's standard output go
   * @param stderr where cdktf's standard error and error messages go
   */
  constructor(
    file: string,
    private readonly stdout: (text: string) => void,
    private readonly stderr: (text: string) => void,
  ) {
    this.fd = fs.openSync(file, 'a');
  }

  /** Writes `text` to standard output (or error) and to the log file. */
  write(text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    (stream === 'stdout' ? this.stdout : this.stderr)(text);
    fs.writeSync(this.fd, text);
  }

  /** A progress line (standard output). */
  say(line: string): void {
    this.write(`${line}\n`);
  }

  /** An error line (standard error). */
  fail(line: string): void {
    this.write(`${line}\n`, 'stderr');
  }

  /** Seconds since the log was opened, e.g. `12.3s`. */
  elapsed(): string {
    return `${((Date.now() - this.startedMs) / 1000).toFixed(1)}s`;
  }

  /** Closes the current log file. */
  close(): void {
    fs.closeSync(this.fd);
  }

  /** Goes on in another file (after {@link close}: the first one is sealed). */
  continueIn(file: string): void {
    this.fd = fs.openSync(file, 'a');
  }
}
