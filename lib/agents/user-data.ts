/**
 * Cloud-init user data for an app server (EC2 instance or droplet): installs rsyslog with its OpenSearch
 * output, writes the forwarder configuration (see `log-forwarder.ts`), and restarts rsyslog.
 *
 * The text is a literal at synth time: no Terraform tokens, no secrets. The log store's address and the
 * forwarder's credentials reach the server at boot, from a source named here:
 *
 * - `aws-secrets-manager`: a small script reads a Secrets Manager secret (`{"host","username","password"}`)
 *   with the instance's role and writes `/etc/log-forwarder/destination.env` (mode 0600); rsyslog's systemd
 *   drop-in loads that file and re-runs the script on every (re)start, so a rotated password is picked up by
 *   `systemctl restart rsyslog`;
 * - `env-file`: the file is put there by other means (baked into the image, or written by the platform).
 */
import { Document, isSeq } from 'yaml';
import { LOG_STORE_ENV, LogForwarderConfig, renderRsyslogConfig } from './log-forwarder';

/** Where a server gets the log store's address and the forwarder's credentials at boot. */
export type LogStoreCredentialSource =
  /** An AWS Secrets Manager secret holding `{"host": ..., "username": ..., "password": ...}`. */
  | { readonly type: 'aws-secrets-manager'; readonly secretId: string; readonly region: string }
  /** `/etc/log-forwarder/destination.env` is provided by the image or the platform. */
  | { readonly type: 'env-file' };

/** Input of {@link renderUserData}: plain values only, the same on every cloud. */
export interface UserDataInput {
  /** The forwarder's configuration (app, environment, color, release, files, destination). */
  readonly forwarder: LogForwarderConfig;
  /** Where the log store's address and credentials come from at boot. */
  readonly credentials: LogStoreCredentialSource;
  /**
   * More Debian packages to install.
   * @default []
   */
  readonly extraPackages?: readonly string[];
  /**
   * More commands to run at the end of the first boot, each an argv list (no shell).
   * @default []
   */
  readonly extraCommands?: ReadonlyArray<readonly string[]>;
}

/** The file rsyslog.service loads the log store's address and credentials from. */
export const DESTINATION_ENV_FILE = '/etc/log-forwarder/destination.env';
/** The script that refreshes {@link DESTINATION_ENV_FILE} from AWS Secrets Manager. */
export const CREDENTIALS_SCRIPT = '/usr/local/sbin/log-forwarder-credentials';
/** Debian packages the forwarder needs (rsyslog's HTTPS goes through libcurl, so no TLS module is needed). */
export const FORWARDER_PACKAGES = ['rsyslog', 'rsyslog-elasticsearch'] as const;

/**
 * The Python script that reads the Secrets Manager secret with the instance role (AWS CLI) and writes the
 * environment file atomically, root only. Values must be non-empty and free of spaces, quotes, `\` and `$`.
 */
export function renderCredentialsScript(secretId: string, region: string): string {
  if (!/^[A-Za-z0-9/_+=.@:-]+$/.test(secretId)) throw new Error(`log forwarder: secret id "${secretId}" must be a Secrets Manager name or ARN`);
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) throw new Error(`log forwarder: region "${region}" is not an AWS region (e.g. eu-west-1)`);
  const vars = Object.entries(LOG_STORE_ENV)
    .map(([key, name]) => `("${key}", "${name}")`)
    .join(', ');
  return `#!/usr/bin/python3
"""Writes the log store's address and the forwarder's credentials from AWS Secrets Manager to
${DESTINATION_ENV_FILE} (root only). rsyslog.service loads that file and runs this script before every start.
Rendered by cdktf-bluegreen (lib/agents/user-data.ts)."""
import json, os, re, subprocess, sys, tempfile, time

SECRET_ID = "${secretId}"
REGION = "${region}"
TARGET = os.environ.get("LOG_FORWARDER_ENV_FILE", "${DESTINATION_ENV_FILE}")
BACKOFF = float(os.environ.get("LOG_FORWARDER_BACKOFF_SECONDS", "2"))
SAFE = re.compile(r"[A-Za-z0-9!#%&()*+,./:;<=>?@\\[\\]^_{|}~-]+")

for attempt in range(1, 6):
    done = subprocess.run(
        ["aws", "secretsmanager", "get-secret-value", "--region", REGION, "--secret-id", SECRET_ID,
         "--query", "SecretString", "--output", "text"],
        capture_output=True, text=True)
    if done.returncode == 0:
        break
    print(f"log-forwarder: reading secret {SECRET_ID} failed (attempt {attempt}/5): {done.stderr.strip()}", file=sys.stderr)
    if attempt < 5:
        time.sleep(BACKOFF * attempt)
else:
    sys.exit(1)

try:
    secret = json.loads(done.stdout)
except ValueError:
    sys.exit(f"log-forwarder: secret {SECRET_ID} is not JSON")
lines = []
for key, name in (${vars}):
    value = secret.get(key) if isinstance(secret, dict) else None
    if not isinstance(value, str) or not SAFE.fullmatch(value):
        sys.exit(f"log-forwarder: secret {SECRET_ID} lacks a usable {key!r} (non-empty; no spaces, quotes, backslash or $)")
    lines.append(f"{name}={value}\\n")

folder = os.path.dirname(TARGET)
os.makedirs(folder, mode=0o700, exist_ok=True)
fd, temp = tempfile.mkstemp(dir=folder, prefix=".destination.")
with os.fdopen(fd, "w") as out:
    out.writelines(lines)
os.chmod(temp, 0o600)
os.replace(temp, TARGET)
print(f"log-forwarder: wrote {TARGET} from secret {SECRET_ID}")
`;
}

/** The rsyslog.service drop-in: load the destination file and, on AWS, refresh it before every start. */
function renderDropIn(credentials: LogStoreCredentialSource): string {
  return [
    '# Log forwarder: the log store address and credentials (see /etc/rsyslog.conf, LOG_STORE_*).',
    '[Service]',
    `EnvironmentFile=-${DESTINATION_ENV_FILE}`,
    ...(credentials.type === 'aws-secrets-manager' ? [`ExecStartPre=-${CREDENTIALS_SCRIPT}`] : []),
    '',
  ].join('\n');
}

/**
 * Renders the `#cloud-config` user data that installs and starts the log forwarder. Pure and token-free: the
 * same input gives the same text, which the synthesized JSON shows (base64 in EC2 launch templates).
 */
export function renderUserData(input: UserDataInput): string {
  const { forwarder, credentials } = input;
  const journal = forwarder.systemLogs && (forwarder.systemLogSource ?? { type: 'journal' }).type === 'journal';
  const packages = [...FORWARDER_PACKAGES, ...(credentials.type === 'aws-secrets-manager' ? ['awscli', 'python3'] : []), ...(input.extraPackages ?? [])];
  for (const pkg of packages) if (!/^[a-z0-9][a-z0-9+.-]+$/.test(pkg)) throw new Error(`log forwarder: "${pkg}" is not a Debian package name`);

  const writeFiles: Array<Record<string, unknown>> = [
    // Deferred: written after the packages are installed, so the package's own rsyslog.conf never wins.
    { path: '/etc/rsyslog.conf', owner: 'root:root', permissions: '0644', defer: true, content: renderRsyslogConfig(forwarder) },
    { path: '/etc/systemd/system/rsyslog.service.d/10-log-forwarder.conf', owner: 'root:root', permissions: '0644', content: renderDropIn(credentials) },
  ];
  if (credentials.type === 'aws-secrets-manager') {
    writeFiles.push({ path: CREDENTIALS_SCRIPT, owner: 'root:root', permissions: '0700', content: renderCredentialsScript(credentials.secretId, credentials.region) });
  }
  if (journal) {
    // rsyslog reads the journal itself (imjournal); journald need not also push to a syslog socket nobody reads.
    writeFiles.push({ path: '/etc/systemd/journald.conf.d/10-log-forwarder.conf', owner: 'root:root', permissions: '0644', content: '[Journal]\nForwardToSyslog=no\n' });
  }

  const runcmd: string[][] = [
    ['install', '-d', '-m', '0700', '-o', 'root', '-g', 'root', '/etc/log-forwarder'],
    ...(credentials.type === 'aws-secrets-manager' ? [[CREDENTIALS_SCRIPT]] : []),
    ['systemctl', 'daemon-reload'],
    ...(journal ? [['systemctl', 'restart', 'systemd-journald.service']] : []),
    ['systemctl', 'enable', 'rsyslog.service'],
    ['systemctl', 'restart', 'rsyslog.service'],
    ...(input.extraCommands ?? []).map((c) => [...c]),
  ];

  const doc = { package_update: true, packages, write_files: writeFiles, runcmd };
  const header = [
    '#cloud-config',
    `# ${forwarder.app} ${forwarder.environment}/${forwarder.color} release ${forwarder.release}: log forwarder (rsyslog -> log store).`,
    '# Rendered by cdktf-bluegreen (lib/agents/user-data.ts). Holds no secret: see README "Centralized logging".',
  ].join('\n');
  const yaml = new Document(doc);
  const commands = yaml.get('runcmd');
  if (isSeq(commands)) for (const item of commands.items) if (isSeq(item)) item.flow = true;
  return `${header}\n${yaml.toString({ lineWidth: 0, blockQuote: 'literal' })}`;
}
