import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The outcome of a real tool's check: exit status and everything it printed. */
export interface CheckResult {
  readonly ok: boolean;
  readonly output: string;
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<CheckResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000, env: env ?? process.env }, (err, stdout, stderr) =>
      resolve({ ok: !err, output: `${stdout}${stderr}` }),
    );
  });
}

/** Writes `text` to a fresh temporary file and returns its path. */
export function tempFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-agent-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/**
 * Runs the real `rsyslogd -N1` (full config validation, no daemon) on a configuration text. The LOG_STORE_*
 * variables are cleared so the check sees exactly what a fresh server sees before its credentials arrive.
 */
export function rsyslogCheck(config: string): Promise<CheckResult> {
  const env = { ...process.env };
  delete env.LOG_STORE_HOST;
  delete env.LOG_STORE_USERNAME;
  delete env.LOG_STORE_PASSWORD;
  return run('rsyslogd', ['-N1', '-f', tempFile('rsyslog.conf', config)], env);
}

/** Runs the real `cloud-init schema --config-file` on a user data text. */
export function cloudInitSchema(userData: string): Promise<CheckResult> {
  return run('cloud-init', ['schema', '--config-file', tempFile('user-data.yaml', userData)]);
}
