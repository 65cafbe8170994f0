/**
 * Cloud-init user data for an app server (EC2 instance or droplet): installs rsyslog and python3, writes the
 * forwarder configuration and its shipper (see `log-forwarder.ts`), and restarts rsyslog.
 *
 * Supported images: Debian 12, Ubuntu 22.04 and 24.04 (apt), Amazon Linux 2023 (dnf). The boot path relies only on
 * what they all have or install from their own repositories: a POSIX shell (dash or bash), `rsyslog` (with its core
 * `imfile`/`omprog` modules) and `python3`'s standard library. Packages are installed one at a time by
 * {@link INSTALL_SCRIPT} (apt-get or dnf, whichever the image has), so a package an image lacks never stops the
 * others from being installed.
 *
 * The text is a literal at synth time: no Terraform tokens, no secrets. The log store's address and the
 * forwarder's credentials reach the server at boot, from a source named here:
 *
 * - `aws-secrets-manager`: a small python3 script reads a Secrets Manager secret (`{"host","username","password"}`)
 *   with the instance role's credentials from IMDSv2 (its own SigV4 signature: no AWS CLI, which Ubuntu 24.04 no
 *   longer packages) and writes `/etc/log-forwarder/destination.env` (mode 0600); rsyslog's systemd
 *   drop-in loads that file and re-runs the script on every (re)start, so a rotated password is picked up by
 *   `systemctl restart rsyslog`;
 * - `env-file`: the file is put there by other means (baked into the image, or written by the platform).
 */
import { Document, isSeq } from 'yaml';
import { gzipSync } from 'zlib';
import type { EnvironmentConfig } from '../config/schema';
import type { Color } from '../config/sections/release';
import { RenderInputError } from '../construct-errors';
import {
  DEFAULT_FORWARDER_PATHS,
  forwarderConfigFromValues,
  LOG_STORE_ENV,
  LogForwarderConfig,
  renderRsyslogConfig,
  renderShipperScript,
} from './log-forwarder';

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
   * More packages to install (names the image's package manager knows). Optional: one that is missing is reported
   * on the console and skipped, and never stops the forwarder's install.
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
/** Packages the forwarder needs, by the same name on every supported image (see the module comment). */
export const FORWARDER_PACKAGES = ['rsyslog', 'python3'] as const;
/** The boot script that installs the packages, one at a time, with apt-get or dnf. */
export const INSTALL_SCRIPT = '/usr/local/sbin/log-forwarder-install';
/** Where the shipper is installed (see `renderShipperScript`). */
export const SHIPPER_SCRIPT = DEFAULT_FORWARDER_PATHS.shipper;

/**
 * The POSIX shell script that installs the forwarder's packages (required) and the extra ones (optional), one at a
 * time with the image's package manager: apt-get (Debian, Ubuntu) or dnf (Amazon Linux 2023). Exits non-zero only
 * when a required package could not be installed. `LOG_FORWARDER_PACKAGE_RETRIES` (default 3) attempts each.
 */
export function renderInstallScript(extraPackages: readonly string[] = []): string {
  for (const pkg of [...FORWARDER_PACKAGES, ...extraPackages]) {
    if (!/^[a-z0-9][a-z0-9+._-]+$/.test(pkg))
      throw new RenderInputError(
        `log forwarder: "${pkg}" is not a package name (lowercase letters, digits, + . _ -). Fix: list the package by its name only`,
      );
  }
  return `#!/bin/sh
# Installs the log forwarder's packages one at a time (a missing optional package never stops the others).
# Rendered by cdktf-bluegreen (lib/agents/user-data.ts). Runs under dash and bash.
attempts="$LOG_FORWARDER_PACKAGE_RETRIES"
[ -n "$attempts" ] || attempts=3
if command -v apt-get >/dev/null 2>&1; then
  manager=apt-get
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || echo "log-forwarder: apt-get update failed; installing from the cached lists" >&2
elif command -v dnf >/dev/null 2>&1; then
  manager=dnf
else
  echo "log-forwarder: neither apt-get nor dnf found; supported images: Debian 12, Ubuntu 22.04/24.04, Amazon Linux 2023" >&2
  exit 1
fi

install_one() {
  n=1
  while :; do
    if [ "$manager" = apt-get ]; then
      apt-get install -y -q --no-install-recommends "$1" && return 0
    else
      dnf install -y -q "$1" && return 0
    fi
    [ "$n" -ge "$attempts" ] && return 1
    n=$((n + 1))
    sleep 2
  done
}

missing=""
for pkg in ${FORWARDER_PACKAGES.join(' ')}; do
  install_one "$pkg" || missing="$missing $pkg"
done
for pkg in ${extraPackages.join(' ')}; do
  install_one "$pkg" || echo "log-forwarder: optional package $pkg could not be installed with $manager; continuing" >&2
done
if [ -n "$missing" ]; then
  echo "log-forwarder: required package(s)$missing could not be installed with $manager" >&2
  exit 1
fi
echo "log-forwarder: packages installed with $manager"
`;
}

/**
 * The python3 script (standard library only) that reads the Secrets Manager secret with the instance role and
 * writes the environment file atomically, root only: an IMDSv2 token, the role's credentials from the instance
 * metadata, and a SigV4-signed `GetSecretValue` call. Values must be non-empty and free of spaces, quotes, `\` and
 * `$`. `LOG_FORWARDER_IMDS_ENDPOINT` and `LOG_FORWARDER_SECRETSMANAGER_ENDPOINT` override the endpoints (tests).
 */
export function renderCredentialsScript(secretId: string, region: string): string {
  if (!/^[A-Za-z0-9/_+=.@:-]+$/.test(secretId))
    throw new RenderInputError(
      `log forwarder: secret id "${secretId}" must be a Secrets Manager name or ARN. Fix: give the secret's name or ARN`,
    );
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region))
    throw new RenderInputError(
      `log forwarder: region "${region}" is not an AWS region. Fix: give a region such as eu-west-1`,
    );
  const vars = Object.entries(LOG_STORE_ENV)
    .map(([key, name]) => `("${key}", "${name}")`)
    .join(', ');
  return `#!/usr/bin/python3
"""Writes the log store's address and the forwarder's credentials from AWS Secrets Manager to
${DESTINATION_ENV_FILE} (root only). rsyslog.service loads that file and runs this script before every start.
Standard library only: IMDSv2 for the instance role's credentials, SigV4 for the GetSecretValue call.
Rendered by cdktf-bluegreen (lib/agents/user-data.ts)."""
import datetime, hashlib, hmac, json, os, re, sys, tempfile, time, urllib.parse, urllib.request

SECRET_ID = "${secretId}"
REGION = "${region}"
TARGET = os.environ.get("LOG_FORWARDER_ENV_FILE", "${DESTINATION_ENV_FILE}")
BACKOFF = float(os.environ.get("LOG_FORWARDER_BACKOFF_SECONDS", "2"))
IMDS = os.environ.get("LOG_FORWARDER_IMDS_ENDPOINT", "http://169.254.169.254")
ENDPOINT = os.environ.get("LOG_FORWARDER_SECRETSMANAGER_ENDPOINT", "https://secretsmanager." + REGION + ".amazonaws.com")
SAFE = re.compile(r"[A-Za-z0-9!#%&()*+,./:;<=>?@\\[\\]^_{|}~-]+")


def fetch(url, method="GET", headers=None, data=None, timeout=5):
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return reply.read().decode()


def role_credentials():
    token = fetch(IMDS + "/latest/api/token", "PUT", {"X-aws-ec2-metadata-token-ttl-seconds": "300"})
    auth = {"X-aws-ec2-metadata-token": token}
    role = fetch(IMDS + "/latest/meta-data/iam/security-credentials/", headers=auth).split()[0]
    return json.loads(fetch(IMDS + "/latest/meta-data/iam/security-credentials/" + role, headers=auth))


def hmac256(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def get_secret_string():
    creds = role_credentials()
    body = json.dumps({"SecretId": SECRET_ID}).encode()
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    headers = {"content-type": "application/x-amz-json-1.1", "host": urllib.parse.urlsplit(ENDPOINT).netloc,
               "x-amz-date": stamp, "x-amz-target": "secretsmanager.GetSecretValue"}
    if creds.get("Token"):
        headers["x-amz-security-token"] = creds["Token"]
    names = sorted(headers)
    canonical = "\\n".join(["POST", "/", "", "".join(k + ":" + headers[k] + "\\n" for k in names), ";".join(names),
                           hashlib.sha256(body).hexdigest()])
    scope = day + "/" + REGION + "/secretsmanager/aws4_request"
    to_sign = "\\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + creds["SecretAccessKey"]).encode()
    for part in (day, REGION, "secretsmanager", "aws4_request"):
        key = hmac256(key, part)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = ("AWS4-HMAC-SHA256 Credential=" + creds["AccessKeyId"] + "/" + scope +
                                ", SignedHeaders=" + ";".join(names) + ", Signature=" + signature)
    return json.loads(fetch(ENDPOINT + "/", "POST", headers, body, timeout=10))["SecretString"]


for attempt in range(1, 6):
    try:
        secret_string = get_secret_string()
        break
    except Exception as problem:  # network, HTTP (AccessDenied, throttling) or reply errors: retried alike
        detail = problem.read().decode(errors="replace") if hasattr(problem, "read") else ""
        print(f"log-forwarder: reading secret {SECRET_ID} failed (attempt {attempt}/5): {problem} {detail}".strip(), file=sys.stderr)
        if attempt < 5:
            time.sleep(BACKOFF * attempt)
else:
    sys.exit(1)

try:
    secret = json.loads(secret_string)
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
  // The same input is often rendered twice per color and synth (the values' size budget, then the fleet; 12 calls,
  // 8 distinct inputs for the shipped environments): YAML rendering is the costly part. The input is plain data
  // (no functions), so its JSON is its identity.
  const key = JSON.stringify(input);
  let text = RENDERED.get(key);
  if (text === undefined) {
    text = renderUserDataText(input);
    if (RENDERED.size >= 256) RENDERED.clear();
    RENDERED.set(key, text);
  }
  return text;
}

/** renderUserData's results by input, bounded like {@link gzipBase64}'s. */
const RENDERED = new Map<string, string>();

function renderUserDataText(input: UserDataInput): string {
  const { forwarder, credentials } = input;
  const journal = forwarder.systemLogs && (forwarder.systemLogSource ?? { type: 'journal' }).type === 'journal';
  const install = renderInstallScript(input.extraPackages ?? []);

  const writeFiles: Array<Record<string, unknown>> = [
    // Deferred: written after the packages are installed, so the package's own rsyslog.conf never wins.
    {
      path: '/etc/rsyslog.conf',
      owner: 'root:root',
      permissions: '0644',
      defer: true,
      content: renderRsyslogConfig(forwarder),
    },
    { path: INSTALL_SCRIPT, owner: 'root:root', permissions: '0700', content: install },
    {
      path: forwarder.paths?.shipper ?? SHIPPER_SCRIPT,
      owner: 'root:root',
      permissions: '0755',
      content: renderShipperScript(),
    },
    {
      path: '/etc/systemd/system/rsyslog.service.d/10-log-forwarder.conf',
      owner: 'root:root',
      permissions: '0644',
      content: renderDropIn(credentials),
    },
  ];
  if (credentials.type === 'aws-secrets-manager') {
    writeFiles.push({
      path: CREDENTIALS_SCRIPT,
      owner: 'root:root',
      permissions: '0700',
      content: renderCredentialsScript(credentials.secretId, credentials.region),
    });
  }
  if (journal) {
    // rsyslog reads the journal itself (imjournal); journald need not also push to a syslog socket nobody reads.
    writeFiles.push({
      path: '/etc/systemd/journald.conf.d/10-log-forwarder.conf',
      owner: 'root:root',
      permissions: '0644',
      content: '[Journal]\nForwardToSyslog=no\n',
    });
  }

  const runcmd: string[][] = [
    ['sh', INSTALL_SCRIPT],
    ['install', '-d', '-m', '0700', '-o', 'root', '-g', 'root', '/etc/log-forwarder'],
    ...(credentials.type === 'aws-secrets-manager' ? [[CREDENTIALS_SCRIPT]] : []),
    ['systemctl', 'daemon-reload'],
    ...(journal ? [['systemctl', 'restart', 'systemd-journald.service']] : []),
    ['systemctl', 'enable', 'rsyslog.service'],
    ['systemctl', 'restart', 'rsyslog.service'],
    ...(input.extraCommands ?? []).map((c) => [...c]),
  ];

  const doc = { write_files: writeFiles, runcmd };
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

/**
 * User data as EC2 receives it from a launch template: gzipped (cloud-init unpacks it) and base64-encoded.
 * Deterministic: the same text gives the same bytes.
 */
export function gzipBase64(text: string): string {
  // The same text is encoded up to three times per color and synth (the values' budget check, the fleet's size
  // check, the launch template): gzip level 9 once.
  let encoded = GZIPPED.get(text);
  if (encoded === undefined) {
    encoded = gzipSync(Buffer.from(text, 'utf8'), { level: 9 }).toString('base64');
    if (GZIPPED.size >= 256) GZIPPED.clear();
    GZIPPED.set(text, encoded);
  }
  return encoded;
}

/** gzipBase64's results by text, bounded (a synth of 50 environments renders 100 distinct user data). */
const GZIPPED = new Map<string, string>();

/** The most user data each cloud accepts, in bytes as delivered: EC2 16 KiB (gzip + base64), DigitalOcean 64 KiB (plain). */
export const USER_DATA_LIMIT_BYTES = { aws: 16384, digitalocean: 65536 } as const;

/**
 * The size of one color's forwarder user data as its cloud receives it (gzip + base64 on AWS, plain text on
 * DigitalOcean), rendered from the values the way the color stacks render it. The AWS secret name follows the log
 * store's `<app>-<environment>/log-forwarder`. Throws what {@link renderUserData} throws on unusable values.
 */
export function userDataBytesFromValues(config: EnvironmentConfig, color: Color): number {
  const forwarder = forwarderConfigFromValues(config, color);
  if (config.cloud === 'aws') {
    const secretId = `${config.app.name}-${config.name}/log-forwarder`;
    return gzipBase64(
      renderUserData({ forwarder, credentials: { type: 'aws-secrets-manager', secretId, region: config.region } }),
    ).length;
  }
  return Buffer.byteLength(renderUserData({ forwarder, credentials: { type: 'env-file' } }));
}
