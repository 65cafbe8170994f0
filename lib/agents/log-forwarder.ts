/**
 * The log forwarder agent: rsyslog, rendered as one self-contained `/etc/rsyslog.conf`, plus a small shipper.
 *
 * - `imfile` tails each application log (JSON lines are parsed into `fields`), `imjournal` (or a syslog
 *   socket) reads the system logs;
 * - every event becomes one JSON document tagged with app, environment, color, release, host and source;
 * - the action's queue is a disk queue (every event is on disk until the store acknowledged it; rsyslog's
 *   memory-first "disk-assisted" mode keeps in-flight batches in memory only, and lost a whole batch in our
 *   delivery test when the agent stopped during an outage), saved on shutdown;
 * - rsyslog hands each batch to the shipper ({@link renderShipperScript}, python3 standard library, run by
 *   `omprog` with confirmed transactions), which posts it to the OpenSearch `_bulk` API over HTTPS with basic
 *   authentication, as `create` with a per-event UUID as document id (a batch sent again never duplicates a
 *   line), and confirms the batch only when the store took every document. Push-back (HTTP 429 and 5xx, per-item
 *   429, the read-only index block, an unreachable store) is retried with exponential backoff until accepted, so a
 *   store that pushes back delays lines but loses none, up to `bufferDiskMiB` per server; only documents the store
 *   refuses as invalid (per-item 400: mapping and parse errors) go to the error file, each counted in the stats
 *   file (`invalid_documents_total`). rsyslog's own `omelasticsearch` (8.2302 in Debian 12) treats an HTTP 429 or
 *   503 reply as done and drops the batch into its error file even with `retryfailures` (our delivery test showed
 *   it), which is why it is not used.
 *
 * Known limits: a batch the store accepts only in part is re-sent in part, so a retried line can arrive after a
 * later line of the same batch (its `@timestamp` still orders it).
 *
 * The destination host and credentials are not in the config: rsyslog reads them at start from its environment
 * ({@link LOG_STORE_ENV}; on a server, systemd loads them from a root-only file, see `user-data.ts`) and the shipper
 * inherits them, so the rendered text is a literal that reviewers can read, that holds no secret, and that
 * `rsyslogd -N1` checks as is.
 */
import type { EnvironmentConfig } from '../config/schema';
import { AppLogFormat, appLogTag, logPathProblem } from '../config/sections/logging';
import { RenderInputError } from '../construct-errors';
import { logDataStreamName } from './log-store-bootstrap';

/** One application log file to forward. */
export interface ForwardedLog {
  /** Absolute path of the file; `*` wildcards allowed. */
  readonly path: string;
  /** `json` lines are parsed into the document's `fields`; `text` lines are kept as `message` only. */
  readonly format: AppLogFormat;
  /**
   * The document's `source` field.
   * @default - the file's base name without extension
   */
  readonly tag?: string;
}

/** Where the system logs come from. */
export type SystemLogSource =
  /** The systemd journal (`imjournal`), with a persistent cursor. */
  | { readonly type: 'journal' }
  /** A syslog unix socket (`imuxsock`), e.g. one a test creates in a temporary directory. */
  | { readonly type: 'socket'; readonly path: string };

/** Files and directories the forwarder uses on the host; override them to run the agent unprivileged in a test. */
export interface ForwarderPaths {
  /** rsyslog's work directory: imfile/imjournal state and the disk part of the queue. */
  readonly workDirectory: string;
  /** Where documents the store refuses as invalid are written (JSON, one document per line). */
  readonly errorFile: string;
  /** The shipper's counters (JSON: `documents_total`, `invalid_documents_total`, `retried_requests_total`). */
  readonly statsFile: string;
  /** The shipper script ({@link renderShipperScript}). */
  readonly shipper: string;
  /** Directory for the local copy of the system logs (`syslog`). */
  readonly localLogDirectory: string;
}

/** The default host paths (Debian). */
export const DEFAULT_FORWARDER_PATHS: ForwarderPaths = {
  workDirectory: '/var/spool/rsyslog',
  errorFile: '/var/log/log-forwarder-rejected.json',
  statsFile: '/var/log/log-forwarder-stats.json',
  shipper: '/usr/local/libexec/log-forwarder-ship',
  localLogDirectory: '/var/log',
};

/** The log store the forwarder ships to: an OpenSearch (or Elasticsearch 7+) `_bulk` endpoint over HTTPS. */
export interface LogDestination {
  /**
   * The store's host name. Leave unset to read it at start from `$LOG_STORE_HOST` (the host is usually only
   * known after deploy, and user data must be a literal at synth).
   * @default - read from the environment variable `LOG_STORE_HOST`
   */
  readonly host?: string;
  /**
   * HTTPS port of the store.
   * @default 443
   */
  readonly port?: number;
  /** Index name prefix; documents go to daily indices `<indexPrefix>-YYYY.MM.DD` (UTC), or to {@link dataStream}. */
  readonly indexPrefix: string;
  /**
   * A data stream to append every document to (bulk `create` only; the store refuses overwrites there), e.g. the
   * one `renderLogStoreBootstrap({ dataStream: true })` creates (`logDataStreamName(indexPrefix)`).
   * @default - daily indices `<indexPrefix>-YYYY.MM.DD`
   */
  readonly dataStream?: string;
  /**
   * PEM file of the CA that signed the store's certificate.
   * @default - the system trust store (right for AWS OpenSearch and DigitalOcean managed OpenSearch)
   */
  readonly caFile?: string;
}

/** Everything the forwarder configuration is rendered from. Plain values only: no cloud, no tokens. */
export interface LogForwarderConfig {
  /** Application name (`app` field of every document). */
  readonly app: string;
  /** Environment name (`environment` field). */
  readonly environment: string;
  /** Fleet color (`color` field). */
  readonly color: string;
  /** Release version the server runs (`release` field). */
  readonly release: string;
  /** Application log files to forward. */
  readonly appLogs: readonly ForwardedLog[];
  /** Forward the system logs too. */
  readonly systemLogs: boolean;
  /** The log store. */
  readonly destination: LogDestination;
  /**
   * Disk the queue may use while the store is unreachable, in MiB.
   * @default 1024
   */
  readonly bufferDiskMiB?: number;
  /**
   * Where system logs come from.
   * @default { type: 'journal' }
   */
  readonly systemLogSource?: SystemLogSource;
  /**
   * Host paths.
   * @default DEFAULT_FORWARDER_PATHS
   */
  readonly paths?: Partial<ForwarderPaths>;
  /**
   * Longest wait between two attempts while the store pushes back or is unreachable (the shipper starts at one
   * second and doubles up to this).
   * @default 60
   */
  readonly retryMaxIntervalSeconds?: number;
}

/** rsyslog action name of the shipping action (appears in rsyslog's own messages and impstats). */
export const FORWARDER_ACTION_NAME = 'log-store';

/** A double-quoted rsyslog string literal. */
function q(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The environment variables rsyslog reads the log store's address and credentials from when it starts. */
export const LOG_STORE_ENV = {
  host: 'LOG_STORE_HOST',
  username: 'LOG_STORE_USERNAME',
  password: 'LOG_STORE_PASSWORD',
} as const;

/** Refuses the config: `<what is wrong, the value>. Fix: <fix>` (see {@link RenderInputError}). */
function fail(message: string, fix: string): never {
  throw new RenderInputError(`log forwarder: ${message}. Fix: ${fix}`);
}

function validate(config: LogForwarderConfig): void {
  for (const [key, value] of Object.entries({
    app: config.app,
    environment: config.environment,
    color: config.color,
  })) {
    if (!/^[a-z][a-z0-9-]*$/.test(value))
      fail(
        `${key} "${value}" must be lowercase letters, digits and dashes`,
        `rename ${key} with those characters only`,
      );
  }
  if (!/^[0-9A-Za-z.+-]+$/.test(config.release))
    fail(
      `release "${config.release}" must be a version such as 1.4.2`,
      'give the release as letters, digits, ".", "+" and "-"',
    );
  if (!/^[a-z][a-z0-9-]*$/.test(config.destination.indexPrefix))
    fail(
      `indexPrefix "${config.destination.indexPrefix}" must be lowercase letters, digits and dashes`,
      'rename indexPrefix with those characters only',
    );
  if (config.destination.dataStream !== undefined && !/^[a-z][a-z0-9-]*$/.test(config.destination.dataStream)) {
    fail(
      `dataStream "${config.destination.dataStream}" must be lowercase letters, digits and dashes`,
      'rename dataStream with those characters only, or leave it out',
    );
  }
  const port = config.destination.port ?? 443;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    fail(`destination port ${port} must be 1-65535`, 'give the log store port from 1 to 65535');
  if (config.destination.host !== undefined && !/^[A-Za-z0-9.-]+$/.test(config.destination.host)) {
    fail(
      `destination host "${config.destination.host}" must be a plain DNS name or IP (no scheme, no port)`,
      'drop the scheme and port from host (set port on its own)',
    );
  }
  const disk = config.bufferDiskMiB ?? 1024;
  if (!Number.isInteger(disk) || disk < 16)
    fail(`bufferDiskMiB ${disk} must be a whole number of at least 16`, 'set bufferDiskMiB to 16 or more');
  const backoff = config.retryMaxIntervalSeconds ?? 60;
  if (!Number.isInteger(backoff) || backoff < 1 || backoff > 3600)
    fail(
      `retryMaxIntervalSeconds ${backoff} must be a whole number from 1 to 3600`,
      'set retryMaxIntervalSeconds within 1-3600',
    );
  const seen = new Set<string>();
  const tags = new Set<string>();
  for (const log of config.appLogs) {
    const problem = logPathProblem(log.path);
    if (problem) fail(`app log ${problem}`, 'give the log as a normalized absolute path without spaces or quotes');
    if (seen.has(log.path)) fail(`app log "${log.path}" is listed twice`, 'list each log once');
    seen.add(log.path);
    const tag = appLogTag(log);
    if (tags.has(tag)) fail(`app log tag "${tag}" is used twice`, 'set distinct tags');
    tags.add(tag);
  }
  const paths = { ...DEFAULT_FORWARDER_PATHS, ...config.paths };
  for (const [key, value] of Object.entries(paths)) {
    if (logPathProblem(value))
      fail(
        `paths.${key} "${value}" must be a normalized absolute path without spaces or quotes`,
        `give paths.${key} as such a path, or leave it out`,
      );
  }
  if (config.systemLogSource?.type === 'socket' && logPathProblem(config.systemLogSource.path)) {
    fail(
      `system log socket "${config.systemLogSource.path}" must be a normalized absolute path`,
      'give the socket as an absolute path such as /run/systemd/journal/syslog',
    );
  }
  if (config.destination.caFile !== undefined && logPathProblem(config.destination.caFile))
    fail(
      `caFile "${config.destination.caFile}" must be an absolute path`,
      'give caFile as an absolute path, or leave it out',
    );
}

/** The rsyslog ruleset name for one application log. */
function appRuleset(tag: string): string {
  return `fwd-app-${tag}`;
}

/**
 * Renders the forwarder's complete rsyslog configuration (`/etc/rsyslog.conf`). Pure: the same config gives
 * the same text. Throws on unusable input (relative or duplicate paths, bad names).
 */
export function renderRsyslogConfig(config: LogForwarderConfig): string {
  validate(config);
  const paths: ForwarderPaths = { ...DEFAULT_FORWARDER_PATHS, ...config.paths };
  const dest = config.destination;
  const source = config.systemLogSource ?? { type: 'journal' };
  const lines: string[] = [];
  const add = (...more: string[]) => lines.push(...more);

  add(
    '# Log forwarder for the central log store. Rendered by cdktf-bluegreen (lib/agents/log-forwarder.ts); do not edit on the host.',
    `# app=${config.app} environment=${config.environment} color=${config.color} release=${config.release}`,
    '',
    `global(workDirectory=${q(paths.workDirectory)} maxMessageSize="64k" preserveFQDN="on")`,
    '',
    '# ---- inputs',
  );
  if (config.appLogs.length > 0) add('module(load="imfile" mode="inotify")');
  if (config.appLogs.some((l) => l.format === 'json')) add('module(load="mmjsonparse")');
  if (source.type === 'journal') {
    add("# The journal holds kernel, systemd and every unit's output; the cursor persists across restarts.");
    add(
      'module(load="imjournal" stateFile="imjournal.state" ratelimit.interval="0" ignorePreviousMessages="off" defaultSeverity="info")',
    );
  } else {
    add('module(load="imuxsock" sysSock.use="off")');
    add(`input(type="imuxsock" socket=${q(source.path)} ruleset="fwd-system" useSpecialParser="on")`);
  }
  add('module(load="omprog")', '');

  for (const log of config.appLogs) {
    const tag = appLogTag(log);
    add(
      `input(type="imfile" file=${q(log.path)} tag=${q(`${tag}:`)} ruleset=${q(appRuleset(tag))} addMetadata="on" reopenOnTruncate="on" freshStartTail="off")`,
    );
  }

  add(
    '',
    '# ---- documents: one JSON object per event',
    'template(name="fwd-timestamp" type="string" string="%timereported:::date-rfc3339,date-utc%")',
    dest.dataStream !== undefined
      ? `template(name="fwd-index" type="string" string=${q(dest.dataStream)})`
      : `template(name="fwd-index" type="string" string=${q(`${dest.indexPrefix}-%timereported:::date-year,date-utc%.%timereported:::date-month,date-utc%.%timereported:::date-day,date-utc%`)})`,
    '# What the shipper reads, one line per event. A UUID per event is the document id: `create` refuses a second',
    '# copy if a batch is sent again.',
    'template(name="fwd-event" type="string" string="{\\"index\\":\\"%$.index%\\",\\"id\\":\\"%uuid%\\",\\"doc\\":%$!doc%}\\n")',
    '',
  );

  for (const log of config.appLogs) {
    const tag = appLogTag(log);
    add(
      `ruleset(name=${q(appRuleset(tag))}) {`,
      '  set $!doc!log_type = "app";',
      `  set $!doc!source = ${q(tag)};`,
      '  set $!doc!file = $!metadata!filename;',
      '  set $!doc!message = $msg;',
    );
    if (log.format === 'json') {
      add(
        '  action(type="mmjsonparse" cookie="" container="$!fields")',
        '  if $parsesuccess == "OK" then {',
        '    set $!doc!fields = $!fields;',
        '  }',
      );
    }
    add('  call fwd-ship', '}', '');
  }

  add(
    '# System logs: a local copy, and (when enabled) the log store.',
    'ruleset(name="fwd-system") {',
    `  action(type="omfile" file=${q(`${paths.localLogDirectory}/syslog`)})`,
  );
  if (config.systemLogs) {
    add(
      '  set $!doc!log_type = "system";',
      '  set $!doc!source = $programname;',
      '  set $!doc!severity = $syslogseverity-text;',
      '  set $!doc!facility = $syslogfacility-text;',
      '  set $!doc!message = ltrim($msg);',
      '  call fwd-ship',
    );
  }
  add('}', '');

  const shipper = [
    '/usr/bin/python3',
    paths.shipper,
    String(dest.port ?? 443),
    dest.caFile ?? '-',
    paths.errorFile,
    paths.statsFile,
    String(config.retryMaxIntervalSeconds ?? 60),
    dest.host ?? '-',
  ].join(' ');
  add(
    '# ---- shipping: disk queue -> shipper (HTTPS + basic auth to the _bulk API), confirmed per batch.',
    'ruleset(name="fwd-ship") {',
    '  set $!doc!@timestamp = exec_template("fwd-timestamp");',
    `  set $!doc!app = ${q(config.app)};`,
    `  set $!doc!environment = ${q(config.environment)};`,
    `  set $!doc!color = ${q(config.color)};`,
    `  set $!doc!release = ${q(config.release)};`,
    '  set $!doc!host = $hostname;',
    '  set $.index = exec_template("fwd-index");',
    '  action(',
    `    type="omprog" name=${q(FORWARDER_ACTION_NAME)} binary=${q(shipper)} template="fwd-event"`,
    '    confirmMessages="on" useTransactions="on" confirmTimeout="86400000" reportFailures="on"',
    `    output=${q(`${paths.localLogDirectory}/log-forwarder.log`)}`,
    '    action.resumeRetryCount="-1" action.resumeInterval="10" action.reportSuspension="on"',
    `    queue.type="Disk" queue.filename="fwd-log-store" queue.size="100000" queue.dequeueBatchSize="500"`,
    `    queue.maxDiskSpace=${q(`${config.bufferDiskMiB ?? 1024}m`)} queue.saveOnShutdown="on" queue.workerThreads="1" queue.checkpointInterval="100"`,
    '  )',
    '}',
    '',
    "# rsyslog's own messages and anything else not bound to a ruleset: treated as system logs.",
    'call fwd-system',
    '',
  );
  return lines.join('\n');
}

/**
 * The forwarder configuration of one color's servers, from the environment's values: the `logging` section,
 * the app name, and the color's release version. `destination.host` stays unset (read at boot). On AWS the
 * documents go to the log store's append-only data stream (`LogStore` bootstraps it); on DigitalOcean to daily
 * indices, which the cluster's `log-forwarder` user may write.
 */
export function forwarderConfigFromValues(config: EnvironmentConfig, color: 'blue' | 'green'): LogForwarderConfig {
  return {
    app: config.app.name,
    environment: config.name,
    color,
    release: config.colors[color].release.version,
    appLogs: config.logging.appLogs.map((l) => ({ path: l.path, format: l.format, tag: l.tag })),
    systemLogs: config.logging.systemLogs,
    destination: {
      indexPrefix: config.logging.indexPrefix,
      ...(config.cloud === 'aws' ? { dataStream: logDataStreamName(config.logging.indexPrefix) } : {}),
    },
    bufferDiskMiB: config.logging.bufferDiskMiB,
  };
}

/**
 * The shipper that rsyslog's `omprog` runs (see the module comment): python3 standard library only, so it runs on
 * every supported image. Arguments: port, CA file (`-` for the system trust store), error file, stats file,
 * longest backoff in seconds, host (`-`: from `LOG_STORE_HOST`); the credentials come from `LOG_STORE_*` in its
 * environment.
 */
export function renderShipperScript(): string {
  return SHIPPER_SCRIPT;
}

const SHIPPER_SCRIPT = String.raw`#!/usr/bin/python3
"""Log forwarder shipper: rsyslog's omprog hands it documents in confirmed transactions; it posts each
transaction to the log store's _bulk API and confirms only once every document is stored or refused as invalid.

Push-back (HTTP 429/5xx, per-item 429, the read-only index block, any other non-400 refusal) and network
errors are retried with exponential backoff until the store accepts; rsyslog keeps the lines in its disk
queue meanwhile. A document the store refuses as invalid (per-item 400: mapping or parse error) is written
to the error file and counted; nothing else is. Rendered by cdktf-bluegreen (lib/agents/log-forwarder.ts).
Standard library only: runs on every image's python3."""
import base64, http.client, json, os, ssl, sys, time

PORT = int(sys.argv[1])
CA_FILE = None if sys.argv[2] == "-" else sys.argv[2]
ERROR_FILE = sys.argv[3]
STATS_FILE = sys.argv[4]
BACKOFF_MAX = float(sys.argv[5])
HOST = os.environ.get("LOG_STORE_HOST", "") if sys.argv[6] == "-" else sys.argv[6]
AUTH = "Basic " + base64.b64encode(
    (os.environ.get("LOG_STORE_USERNAME", "") + ":" + os.environ.get("LOG_STORE_PASSWORD", "")).encode()).decode()
TLS = ssl.create_default_context(cafile=CA_FILE)
stats = {"documents_total": 0, "invalid_documents_total": 0, "retried_requests_total": 0}
try:
    with open(STATS_FILE) as f:
        stats.update(json.load(f))
except (OSError, ValueError):
    pass


def note(text):
    print("log-forwarder: " + text, file=sys.stderr, flush=True)


def save_stats():
    temp = STATS_FILE + ".tmp"
    with open(temp, "w") as out:
        json.dump(stats, out)
    os.replace(temp, STATS_FILE)


def post(body):
    conn = http.client.HTTPSConnection(HOST, PORT, context=TLS, timeout=60)
    try:
        conn.request("POST", "/_bulk", body=body, headers={
            "Authorization": AUTH, "Content-Type": "application/x-ndjson"})
        reply = conn.getresponse()
        return reply.status, reply.read()
    finally:
        conn.close()


def refuse(event, item):
    """Records one document the store refused as invalid."""
    record = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "status": item.get("status"),
              "error": item.get("error"), "index": event["index"], "id": event["id"], "document": event["doc"]}
    with open(ERROR_FILE, "a") as out:
        out.write(json.dumps(record, separators=(",", ":")) + "\n")
    stats["invalid_documents_total"] += 1
    note(f"invalid document {event['id']} refused ({item.get('status')} {(item.get('error') or {}).get('type')}); "
         f"invalid_documents_total={stats['invalid_documents_total']}")


def ship(events):
    """Returns once every event is stored (or a duplicate of a stored one) or refused as invalid."""
    delay = 1.0
    while events:
        body = "".join(
            json.dumps({"create": {"_index": e["index"], "_id": e["id"]}}) + "\n" + json.dumps(e["doc"]) + "\n"
            for e in events)
        retry = []
        try:
            status, data = post(body.encode())
            if 200 <= status < 300:
                items = json.loads(data).get("items", [])
                if len(items) != len(events):
                    raise ValueError(f"{len(items)} items in the reply to {len(events)} documents")
                for event, item in zip(events, items):
                    result = next(iter(item.values()))
                    code = result.get("status", 0)
                    if 200 <= code < 300 or code == 409:  # stored, or stored by an earlier attempt
                        stats["documents_total"] += 1
                    elif code == 400:
                        refuse(event, result)
                    else:
                        retry.append(event)
                if retry:
                    note(f"store refused {len(retry)} of {len(events)} documents for now "
                         f"({next(iter(items[events.index(retry[0])].values())).get('status')}); retrying")
            else:
                retry = events
                note(f"store answered HTTP {status}: {data[:200]!r}; retrying {len(events)} documents")
        except (OSError, http.client.HTTPException, ValueError) as problem:
            retry = events
            note(f"store unreachable or reply unusable ({problem}); retrying {len(events)} documents")
        save_stats()
        events = retry
        if events:
            stats["retried_requests_total"] += 1
            time.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)


def main():
    print("OK", flush=True)  # initialised: rsyslog may send
    batch = []
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line == "BEGIN TRANSACTION":
            batch = []
            print("OK", flush=True)
        elif line == "COMMIT TRANSACTION":
            ship(batch)
            batch = []
            print("OK", flush=True)
        else:
            batch.append(json.loads(line))
            print("DEFER_COMMIT", flush=True)


if __name__ == "__main__":
    main()
`;
