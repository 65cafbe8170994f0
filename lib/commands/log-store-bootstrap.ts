/**
 * `npm run log-store-bootstrap -- <env>`: applies the log store bootstrap (index retention policy, index
 * template, the forwarder's role, user and role mapping) that `<env>-shared` publishes as the output
 * `log_store_bootstrap`, with the admin credentials, over HTTPS. The store is only reachable inside the VPC:
 * run it through a port forward (`--connect localhost:9443`); the certificate is still checked against the
 * store's real host name.
 */
import * as fs from 'fs';
import * as https from 'https';
import { z } from 'zod';
import { LogStoreRequest, PASSWORD_PLACEHOLDER } from '../agents/log-store-bootstrap';
import { LOG_OUTPUTS, stackName } from '../../stacks/contract';
import { stringFlag } from '../cli/args';
import { readDeployedOutputs, readOutputsFile } from '../cli/cdktf';
import { defineCommand } from '../cli/command';
import { CommandError, UsageError } from '../cli/errors';
import { ExitCode } from '../cli/exit-codes';

/** A request the store refused, or a connection that failed: the command stops there (exit 1). */
export class BootstrapRequestError extends CommandError {
  constructor(message: string) {
    super(message, ExitCode.FAILED);
    this.name = 'BootstrapRequestError';
  }
}

const requestsSchema = z.array(
  z.object({
    description: z.string(),
    method: z.enum(['PUT', 'POST']),
    path: z.string().regex(/^\/[\w\-./]+(\?[\w=&-]+)?$/, 'must be a plain absolute path'),
    headers: z.record(z.string()).optional(),
    body: z.record(z.unknown()),
    existingIsDone: z.boolean().optional(),
  }),
);

/** Options of {@link applyLogStoreBootstrap}. */
export interface ApplyBootstrapOptions {
  /** The store's host name (its certificate's name; the `Host` header). */
  readonly host: string;
  /**
   * Where to connect instead of `host:443`, as `host:port` (an SSM or SSH port forward).
   * @default - `host:443`
   */
  readonly connect?: string;
  /** The requests to apply, in order. */
  readonly requests: readonly LogStoreRequest[];
  /** The admin (master) user. */
  readonly admin: { readonly username: string; readonly password: string };
  /** The forwarder's password, substituted for {@link PASSWORD_PLACEHOLDER}. */
  readonly forwarderPassword: string;
  /**
   * PEM bundle to trust for the store's certificate.
   * @default - Node's bundled public CAs (right for AWS and DigitalOcean managed OpenSearch)
   */
  readonly caFile?: string;
  /**
   * Seconds to wait for each response.
   * @default 30
   */
  readonly timeoutSeconds?: number;
  /**
   * Progress output, one line per request.
   * @default - none
   */
  readonly log?: (line: string) => void;
}

/** Replaces the password placeholder anywhere in a JSON value. */
function withPassword(value: unknown, password: string): unknown {
  if (value === PASSWORD_PLACEHOLDER) return password;
  if (Array.isArray(value)) return value.map((v) => withPassword(v, password));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPassword(v, password)]));
  return value;
}

/** Applies the requests one by one; stops at the first failure with a {@link BootstrapRequestError}. Returns the statuses. */
export async function applyLogStoreBootstrap(options: ApplyBootstrapOptions): Promise<number[]> {
  const [connectHost, connectPort] = (options.connect ?? `${options.host}:443`).split(':');
  const ca = options.caFile ? fs.readFileSync(options.caFile) : undefined;
  const auth = `Basic ${Buffer.from(`${options.admin.username}:${options.admin.password}`).toString('base64')}`;
  const statuses: number[] = [];
  for (const [i, request] of options.requests.entries()) {
    const body = JSON.stringify(withPassword(request.body, options.forwarderPassword));
    const step = `[${i + 1}/${options.requests.length}] ${request.method} ${request.path}`;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = https.request(
        {
          host: connectHost,
          port: Number(connectPort || 443),
          servername: options.host,
          method: request.method,
          path: request.path,
          ca,
          headers: {
            ...request.headers,
            host: options.host,
            authorization: auth,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
          timeout: (options.timeoutSeconds ?? 30) * 1000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutSeconds ?? 30} s`)));
      req.on('error', (e) =>
        reject(new BootstrapRequestError(`${step}: ${e.message} (is the port forward to ${options.host} up?)`)),
      );
      req.end(body);
    });
    const exists =
      request.existingIsDone === true && status === 400 && text.includes('resource_already_exists_exception');
    if ((status < 200 || status > 299) && !exists) {
      throw new BootstrapRequestError(
        `${step}: the store answered ${status}: ${text.slice(0, 300).replace(/\s+/g, ' ')}`,
      );
    }
    options.log?.(`${step}: ${status}${exists ? ' already exists, kept' : ''} (${request.description})`);
    statuses.push(status);
  }
  return statuses;
}

/** Reads the bootstrap requests and the store's host from `<env>-shared` outputs. */
export function bootstrapFromOutputs(
  outputs: Record<string, unknown>,
  source: string,
): { host: string; requests: LogStoreRequest[] } {
  const host = outputs[LOG_OUTPUTS.endpoint];
  const raw = outputs[LOG_OUTPUTS.bootstrap];
  if (typeof host !== 'string' || !host || raw === undefined) {
    throw new UsageError(
      `${source}: no outputs ${LOG_OUTPUTS.endpoint} and ${LOG_OUTPUTS.bootstrap}; deploy the shared stack (with its log store) first`,
    );
  }
  let parsed: unknown;
  try {
    parsed = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch (e) {
    throw new UsageError(`${source}: ${LOG_OUTPUTS.bootstrap} is not JSON (${(e as Error).message})`);
  }
  const checked = requestsSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new UsageError(`${source}: ${LOG_OUTPUTS.bootstrap}[${issue.path.join('.')}]: ${issue.message}`);
  }
  return { host, requests: checked.data as LogStoreRequest[] };
}

/** `npm run log-store-bootstrap -- --help`. */
export const LOG_STORE_BOOTSTRAP_HELP = `Usage:
  npm run log-store-bootstrap -- <env> [options]

Applies the log store bootstrap of <env> (output ${LOG_OUTPUTS.bootstrap} of <env>-shared): the index retention
(ISM) policy, the index template, the log_forwarder role, user and role mapping, and (AWS) the Dashboards
index pattern. Every request is idempotent; run it once after the store is created (again after changing
logging.indexRetentionDays).

Credentials (environment variables; fetch them from the secrets named by the outputs ${LOG_OUTPUTS.adminSecret}
and ${LOG_OUTPUTS.forwarderSecret}, e.g. aws secretsmanager get-secret-value ... | jq -r .password):
  LOG_STORE_ADMIN_PASSWORD       the admin (master) user's password
  LOG_STORE_ADMIN_USERNAME       default: admin
  LOG_STORE_FORWARDER_PASSWORD   the forwarder's password (becomes the log-forwarder user's password)

Options:
  --outputs <file>     read <env>-shared outputs from this JSON (cdktf --outputs-file, or terraform output -json)
  --connect <h:port>   connect here instead of <store>:443, e.g. localhost:9443 through
                       aws ssm start-session --document-name AWS-StartPortForwardingSessionToRemoteHost
  --ca-file <pem>      trust this CA for the store's certificate (default: public CAs)
  --dry-run            print the requests (password redacted) and exit
  -h, --help           this text

Exit: 0 applied; 1 the store refused a request or could not be reached (nothing after it was sent); 2 bad input
(flags, outputs, unknown environment, missing passwords); 3 the deployed outputs could not be read (no credentials,
provider not installable, stack not deployed: the message says which).
`;

/** The CLI: parses `argv`, applies the bootstrap, returns the exit code. */
export const logStoreBootstrapMain = defineCommand({
  command: 'log-store-bootstrap',
  help: LOG_STORE_BOOTSTRAP_HELP,
  flags: {
    outputs: { type: 'string' },
    connect: { type: 'string' },
    'ca-file': { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  run: async (args, io): Promise<number> => {
    const { stdout, stderr, env } = io;
    const rest = args.positionals;
    if (rest.length !== 1)
      throw new UsageError(
        rest.length === 0
          ? 'name the environment, e.g. npm run log-store-bootstrap -- prod (see --help)'
          : `expected one environment, got ${rest.join(' ')}`,
      );
    const environment = rest[0];
    if (!/^[a-z][a-z0-9-]*$/.test(environment)) throw new UsageError(`"${environment}" is not an environment name`);
    const connect = stringFlag(args, 'connect');
    if (connect !== undefined && !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(connect))
      throw new UsageError(`--connect must be host:port, e.g. localhost:9443, got "${connect}"`);
    const caFile = stringFlag(args, 'ca-file');
    if (caFile !== undefined && !fs.existsSync(caFile)) throw new UsageError(`--ca-file ${caFile}: no such file`);

    const stack = stackName(environment, 'shared');
    const file = stringFlag(args, 'outputs');
    const outputs = file
      ? readOutputsFile(file, stack)
      : await readDeployedOutputs(stack, { cwd: io.cwd, env, log: (l) => stderr(`${l}\n`) });
    const { host, requests } = bootstrapFromOutputs(outputs, file ?? `cdktf output ${stack}`);
    if (args.flags['dry-run']) {
      for (const r of requests) stdout(`${r.method} https://${host}${r.path}\n${JSON.stringify(r.body)}\n`);
      return ExitCode.OK;
    }
    const password = env.LOG_STORE_ADMIN_PASSWORD;
    const forwarderPassword = env.LOG_STORE_FORWARDER_PASSWORD;
    if (!password || !forwarderPassword) {
      throw new UsageError(
        'set LOG_STORE_ADMIN_PASSWORD and LOG_STORE_FORWARDER_PASSWORD (from the secrets named by the outputs; see --help)',
      );
    }
    stderr(`applying ${requests.length} requests to ${host}${connect ? ` via ${connect}` : ''}\n`);
    await applyLogStoreBootstrap({
      host,
      connect,
      caFile,
      requests,
      admin: { username: env.LOG_STORE_ADMIN_USERNAME || 'admin', password },
      forwarderPassword,
      log: (l) => stderr(`${l}\n`),
    });
    stderr('done: the forwarders can write now (their queued lines follow)\n');
    return ExitCode.OK;
  },
});
