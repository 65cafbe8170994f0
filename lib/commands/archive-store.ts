/**
 * Reads and writes deployment records in an S3 bucket (AWS S3 or an S3-compatible store such as DigitalOcean
 * Spaces) with the AWS SDK v3: every upload carries its SHA-256 checksum (the store verifies it), SSE-KMS and
 * object-lock retention where asked; transient failures are retried with exponential backoff; failures that a
 * retry cannot fix (no credentials, no bucket, access denied) become an {@link ArchiveError} that says what to do.
 */
import {
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  ListObjectsV2CommandOutput,
  PutObjectCommand,
  PutObjectCommandInput,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'crypto';
import { CommandError } from '../cli/errors';
import { ExitCode } from '../cli/exit-codes';
import { ArchiveTarget } from './archive-target';

/** What kind of failure an {@link ArchiveError} is. */
export type ArchiveErrorKind = 'credentials' | 'missing-bucket' | 'denied' | 'not-found' | 'transient' | 'other';

/** A failure talking to the archive, with a message that names the bucket/key and the fix. */
export class ArchiveError extends CommandError {
  /** The kind of failure. */
  public readonly kind: ArchiveErrorKind;

  constructor(kind: ArchiveErrorKind, message: string) {
    super(message, ExitCode.PREREQUISITE);
    this.name = 'ArchiveError';
    this.kind = kind;
  }
}

/** Object-lock retention for an upload. */
export interface ObjectLock {
  /** `GOVERNANCE` or `COMPLIANCE`. */
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** When the lock ends. */
  readonly retainUntil: Date;
}

/** Options for {@link ArchiveStore}. */
export interface ArchiveStoreOptions {
  /** The bucket to use. */
  readonly target: ArchiveTarget;
  /**
   * Server-side encryption to request on uploads (the archive buckets' policy refuses uploads without `aws:kms`).
   * @default 'aws:kms'
   */
  readonly serverSideEncryption?: 'aws:kms' | 'none';
  /**
   * Attempts per request (first try included).
   * @default 5
   */
  readonly attempts?: number;
  /**
   * First backoff delay in milliseconds; doubled after each failure (with jitter), capped at 10 s.
   * @default 500
   */
  readonly baseDelayMs?: number;
  /**
   * Environment to read credentials from (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, or `SPACES_ACCESS_KEY_ID`/
   * `SPACES_SECRET_ACCESS_KEY` for an endpoint); without them the SDK's default chain (profiles, SSO, instance roles).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Called with a line for every retry.
   * @default - silent
   */
  readonly log?: (line: string) => void;
}

/** SHA-256 of a buffer, hex. */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A bucket of deployment records, with retries and clear errors. */
export class ArchiveStore {
  /** The bucket used. */
  public readonly target: ArchiveTarget;
  private readonly client: S3Client;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly sse: 'aws:kms' | 'none';
  private readonly log: (line: string) => void;

  constructor(options: ArchiveStoreOptions) {
    this.target = options.target;
    this.attempts = options.attempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.sse = options.serverSideEncryption ?? 'aws:kms';
    this.log = options.log ?? (() => undefined);
    const env = options.env ?? process.env;
    const id = (this.target.endpoint && env.SPACES_ACCESS_KEY_ID) || env.AWS_ACCESS_KEY_ID;
    const secret = (this.target.endpoint && env.SPACES_SECRET_ACCESS_KEY) || env.AWS_SECRET_ACCESS_KEY;
    this.client = new S3Client({
      region: this.target.region,
      ...(this.target.endpoint ? { endpoint: this.target.endpoint } : {}),
      forcePathStyle: this.target.forcePathStyle,
      ...(id && secret
        ? { credentials: { accessKeyId: id, secretAccessKey: secret, sessionToken: env.AWS_SESSION_TOKEN } }
        : {}),
      maxAttempts: 1, // retries are ours: visible, and the same for every operation
      requestChecksumCalculation: 'WHEN_REQUIRED', // we send SHA-256 ourselves
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 5000, requestTimeout: 120000 },
    });
  }

  /** `s3://bucket/key` for messages. */
  public url(key = ''): string {
    return `s3://${this.target.bucket}/${key}`;
  }

  /** Fails early, with the fix in the message, when the bucket is missing or the credentials cannot reach it. */
  public async checkBucket(): Promise<void> {
    await this.call(`check ${this.url()}`, undefined, () =>
      this.client.send(new HeadBucketCommand({ Bucket: this.target.bucket })),
    );
  }

  /** Uploads one object with its SHA-256 checksum, encryption and (optionally) object-lock retention. */
  public async put(
    key: string,
    body: Buffer,
    options: { lock?: ObjectLock; contentType?: string } = {},
  ): Promise<void> {
    const input: PutObjectCommandInput = {
      Bucket: this.target.bucket,
      Key: key,
      Body: body,
      ContentType: options.contentType ?? 'application/octet-stream',
      ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
      ...(this.sse === 'aws:kms' ? { ServerSideEncryption: 'aws:kms' as const } : {}),
      ...(options.lock
        ? { ObjectLockMode: options.lock.mode, ObjectLockRetainUntilDate: options.lock.retainUntil }
        : {}),
    };
    await this.call(`upload ${this.url(key)}`, key, () => this.client.send(new PutObjectCommand(input)));
  }

  /** Downloads one object; an {@link ArchiveError} of kind `not-found` when it does not exist. */
  public async get(key: string): Promise<Buffer> {
    return this.call(`download ${this.url(key)}`, key, async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.target.bucket, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    });
  }

  /** Every key under a prefix, in lexical order. */
  public async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.call(`list ${this.url(prefix)}`, undefined, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.target.bucket, Prefix: prefix, ContinuationToken: token }),
        ),
      );
      for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  /** Releases the client's sockets. */
  public close(): void {
    this.client.destroy();
  }

  private async call<T>(what: string, key: string | undefined, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const error = this.classify(e, what, key);
        if (error.kind !== 'transient' || attempt >= this.attempts) {
          if (error.kind === 'transient')
            throw new ArchiveError('transient', `${error.message} (gave up after ${attempt} attempts)`);
          throw error;
        }
        const delay = Math.min(10000, this.baseDelayMs * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
        this.log(`  retry ${attempt}/${this.attempts - 1} in ${Math.round(delay)} ms: ${error.message}`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private classify(e: unknown, what: string, key: string | undefined): ArchiveError {
    const err = e as {
      name?: string;
      Code?: string;
      code?: string;
      message?: string;
      $metadata?: { httpStatusCode?: number };
    };
    const name = err.Code ?? err.name ?? '';
    const status = err.$metadata?.httpStatusCode;
    const detail = err.message && err.message !== 'UnknownError' ? err.message : `HTTP ${status ?? '?'} ${name}`.trim();
    const where = this.target.endpoint ? `${this.target.endpoint}` : `region ${this.target.region}`;
    if (name === 'CredentialsProviderError' || (!status && /could not load credentials/i.test(err.message ?? ''))) {
      return new ArchiveError(
        'credentials',
        `cannot ${what}: no credentials found. Set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY${this.target.endpoint ? '; for Spaces SPACES_ACCESS_KEY_ID and SPACES_SECRET_ACCESS_KEY' : ''}) and retry`,
      );
    }
    if (name === 'NoSuchBucket' || (status === 404 && !key)) {
      return new ArchiveError(
        'missing-bucket',
        `cannot ${what}: bucket ${this.target.bucket} does not exist (${where}). Deploy the environment's shared stack first, or pass --bucket/--region`,
      );
    }
    if (name === 'NoSuchKey' || name === 'NotFound' || status === 404)
      return new ArchiveError('not-found', `cannot ${what}: no such object`);
    if (
      ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired'].includes(
        name,
      )
    ) {
      return new ArchiveError(
        'credentials',
        `cannot ${what}: the credentials were refused (${name}: ${detail}). Refresh them (e.g. aws sso login) and retry`,
      );
    }
    if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) {
      return new ArchiveError(
        'denied',
        `cannot ${what}: access denied (${detail}). The caller needs s3:PutObject, s3:GetObject and s3:ListBucket on ${this.target.bucket} and kms:GenerateDataKey/kms:Decrypt on its key`,
      );
    }
    const transientNames = [
      'TimeoutError',
      'RequestTimeout',
      'RequestTimeTooSkewed',
      'SlowDown',
      'InternalError',
      'ServiceUnavailable',
      'Throttling',
      'ThrottlingException',
    ];
    const transientCodes = [
      'ECONNRESET',
      'EPIPE',
      'ETIMEDOUT',
      'ECONNREFUSED',
      'EAI_AGAIN',
      'ENOTFOUND',
      'ECONNABORTED',
    ];
    if (
      (status !== undefined && (status >= 500 || status === 429)) ||
      transientNames.includes(name) ||
      transientCodes.includes(err.code ?? '') ||
      /socket hang up|ECONNRESET|aborted/i.test(err.message ?? '')
    ) {
      return new ArchiveError('transient', `cannot ${what}: ${detail}`);
    }
    return new ArchiveError('other', `cannot ${what}: ${detail}`);
  }
}
