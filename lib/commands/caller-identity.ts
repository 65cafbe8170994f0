/**
 * Who is deploying, as the cloud sees it: the identity behind the credentials the deploy uses, returned by the
 * cloud (AWS STS `GetCallerIdentity`; DigitalOcean `GET /v2/account`), never a name the caller declares.
 *
 * The deploy command takes the lookup as an injectable function ({@link CallerIdentityLookup}), so tests and
 * other clouds can supply their own; {@link defaultCallerIdentity} is the one the CLI uses.
 */
import { PrerequisiteError } from '../cli/errors';

/** The identity a cloud returned for the deploy's credentials. */
export interface CallerIdentity {
  /** The principal: an ARN on AWS (`arn:aws:sts::123456789012:assumed-role/deploy/gh-1234`), an account e-mail or UUID on DigitalOcean. */
  readonly principal: string;
  /** The account (AWS account id; DigitalOcean team or account UUID), when known. */
  readonly account?: string;
  /** Where the identity came from, e.g. `aws-sts:GetCallerIdentity`. */
  readonly source: string;
}

/** Looks up the caller identity for a cloud with the credentials in `env`; throws {@link IdentityError} when it cannot. */
export type CallerIdentityLookup = (cloud: 'aws' | 'digitalocean', env: NodeJS.ProcessEnv) => Promise<CallerIdentity>;

/** The caller identity could not be established (no credentials, refused, unreachable, SDK missing). */
export class IdentityError extends PrerequisiteError {
  constructor(message: string) {
    super(message, 'no-credentials');
    this.name = 'IdentityError';
  }
}

/** The package that provides STS; a dependency of this library (loaded when a deploy runs on AWS). */
export const STS_PACKAGE = '@aws-sdk/client-sts';

/** The part of `@aws-sdk/client-sts` the lookup uses (injectable, so tests and bundlers can supply it). */
export interface StsModule {
  /** The STS client class. */
  STSClient: new (config: Record<string, unknown>) => {
    send(command: unknown): Promise<{ Arn?: string; Account?: string }>;
    destroy(): void;
  };
  /** The GetCallerIdentity command class. */
  GetCallerIdentityCommand: new (input: Record<string, unknown>) => unknown;
}

/** AWS: STS `GetCallerIdentity` with the SDK's default credential chain (or the keys in `env`). */
export async function awsCallerIdentity(
  env: NodeJS.ProcessEnv,
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily: most commands never need the STS client
  loadSts: () => StsModule = () => require(STS_PACKAGE) as StsModule,
): Promise<CallerIdentity> {
  let sts: StsModule;
  try {
    sts = loadSts();
  } catch {
    throw new IdentityError(
      `${STS_PACKAGE} is not installed; install it (npm install ${STS_PACKAGE}) so the deploy can record who ran it`,
    );
  }
  const id = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  const client = new sts.STSClient({
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(id && secret
      ? { credentials: { accessKeyId: id, secretAccessKey: secret, sessionToken: env.AWS_SESSION_TOKEN } }
      : {}),
  });
  try {
    const out = await client.send(new sts.GetCallerIdentityCommand({}));
    if (!out.Arn) throw new IdentityError('STS GetCallerIdentity returned no ARN');
    return {
      principal: out.Arn,
      ...(out.Account ? { account: out.Account } : {}),
      source: 'aws-sts:GetCallerIdentity',
    };
  } catch (e) {
    if (e instanceof IdentityError) throw e;
    throw new IdentityError(
      `STS GetCallerIdentity failed (${(e as Error).message}); the deploy needs credentials the cloud accepts`,
    );
  } finally {
    client.destroy();
  }
}

/** DigitalOcean: `GET /v2/account` with `DIGITALOCEAN_TOKEN` (or `DIGITALOCEAN_ACCESS_TOKEN`). */
export async function digitaloceanCallerIdentity(
  env: NodeJS.ProcessEnv,
  fetchImpl: typeof fetch = fetch,
): Promise<CallerIdentity> {
  const token = env.DIGITALOCEAN_TOKEN || env.DIGITALOCEAN_ACCESS_TOKEN;
  if (!token)
    throw new IdentityError(
      'no DigitalOcean credentials: set DIGITALOCEAN_TOKEN (the deploy records the account it belongs to)',
    );
  const api = (env.DIGITALOCEAN_API_URL ?? 'https://api.digitalocean.com').replace(/\/$/, '');
  let body: { account?: { email?: string; uuid?: string; team?: { uuid?: string } } };
  try {
    const response = await fetchImpl(`${api}/v2/account`, { headers: { Authorization: `Bearer ${token}` } });
    if (!response.ok) throw new IdentityError(`GET ${api}/v2/account answered HTTP ${response.status}`);
    body = (await response.json()) as typeof body;
  } catch (e) {
    if (e instanceof IdentityError) throw e;
    throw new IdentityError(`GET ${api}/v2/account failed (${(e as Error).message})`);
  }
  const principal = body.account?.email || body.account?.uuid;
  if (!principal) throw new IdentityError(`GET ${api}/v2/account returned no account`);
  const account = body.account?.team?.uuid ?? body.account?.uuid;
  return { principal, ...(account ? { account } : {}), source: 'digitalocean:GET /v2/account' };
}

/** The lookup the CLI uses: STS on AWS, the account endpoint on DigitalOcean. */
export const defaultCallerIdentity: CallerIdentityLookup = (cloud, env) =>
  cloud === 'aws' ? awsCallerIdentity(env) : digitaloceanCallerIdentity(env);
