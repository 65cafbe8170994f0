/**
 * Where an environment's deployment records go: the bucket, region and (for S3-compatible stores such as
 * DigitalOcean Spaces) endpoint, taken from flags or from the `<env>-shared` stack outputs (read with the cdktf
 * adapter, `lib/cli/cdktf.ts`).
 */
import { ARCHIVE_OUTPUTS, stackName } from '../../stacks/contract';
import { FlagSpec, ParsedArgs, stringFlag } from '../cli/args';
import { readDeployedOutputs, readOutputsFile } from '../cli/cdktf';
import { UsageError } from '../cli/errors';

/** Where records are read and written. */
export interface ArchiveTarget {
  /** Bucket name. */
  readonly bucket: string;
  /** Region (for Spaces, the Spaces region such as `fra1`; signing uses it as is). */
  readonly region: string;
  /**
   * S3-compatible endpoint URL.
   * @default - AWS S3 in `region`
   */
  readonly endpoint?: string;
  /** Address the bucket in the path (`<endpoint>/<bucket>/key`) instead of the host name. */
  readonly forcePathStyle: boolean;
}

/** Flags that override (or replace) the stack outputs. */
export interface TargetFlags {
  /**
   * `--bucket`: the records bucket.
   * @default - output `deployment_records_bucket` of `<env>-shared`
   */
  readonly bucket?: string;
  /**
   * `--region`: the bucket's region.
   * @default - output `archive_region` of `<env>-shared` (`us-east-1` for an endpoint without one)
   */
  readonly region?: string;
  /**
   * `--endpoint`: an S3-compatible endpoint URL.
   * @default - output `archive_endpoint` of `<env>-shared`, else AWS S3
   */
  readonly endpoint?: string;
  /**
   * `--path-style`: address the bucket in the URL path.
   * @default - true for localhost and IP-address endpoints, else false
   */
  readonly pathStyle?: boolean;
  /**
   * `--outputs`: a file written by `cdktf deploy|output --outputs-file` to read instead of running cdktf.
   * @default - runs `cdktf output <env>-shared` when a flag is missing
   */
  readonly outputsFile?: string;
}

/** Options for {@link resolveTarget}. */
export interface ResolveTargetOptions extends TargetFlags {
  /** The environment whose `<env>-shared` outputs name the bucket. */
  readonly environment: string;
  /** Project directory (where `cdktf` runs). */
  readonly cwd: string;
  /**
   * Environment variables (for `CDKTF_BIN`).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Progress output.
   * @default - none
   */
  readonly log?: (line: string) => void;
}

/**
 * Resolves the records bucket: flags win; whatever they leave open comes from the `<env>-shared` outputs (an
 * `--outputs` file, or `cdktf output <env>-shared`).
 */
export async function resolveTarget(options: ResolveTargetOptions): Promise<ArchiveTarget> {
  let bucket = options.bucket;
  let region = options.region;
  let endpoint = options.endpoint;
  const needsOutputs = !bucket || !(region || endpoint);
  if (needsOutputs) {
    const shared = stackName(options.environment, 'shared');
    const hint = 'pass --bucket and --region (or --endpoint)';
    const outputs = options.outputsFile
      ? readOutputsFile(options.outputsFile, shared, 'pass --bucket and --region')
      : await readDeployedOutputs(shared, { cwd: options.cwd, env: options.env, log: options.log, offlineHint: hint });
    bucket ??= optionalString(outputs[ARCHIVE_OUTPUTS.recordsBucket]);
    if (!bucket)
      throw new UsageError(
        `${shared} has no output "${ARCHIVE_OUTPUTS.recordsBucket}"; deploy ${shared} first, or pass --bucket`,
      );
    region ??= optionalString(outputs[ARCHIVE_OUTPUTS.region]);
    endpoint ??= optionalString(outputs[ARCHIVE_OUTPUTS.endpoint]);
    // A bare host name (as Spaces reports it) means HTTPS.
    if (endpoint && !/^[a-z]+:\/\//.test(endpoint)) endpoint = `https://${endpoint}`;
  }
  if (!bucket) throw new UsageError('no bucket: pass --bucket or deploy the shared stack first');
  if (endpoint && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) {
    throw new UsageError(`--endpoint "${endpoint}" must be a URL such as https://fra1.digitaloceanspaces.com`);
  }
  const host = endpoint ? new URL(endpoint).hostname : '';
  const local = host === 'localhost' || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
  return {
    bucket,
    region: region ?? (endpoint ? 'us-east-1' : missingRegion()),
    ...(endpoint ? { endpoint: endpoint.replace(/\/$/, '') } : {}),
    forcePathStyle: options.pathStyle ?? local,
  };
}

function missingRegion(): never {
  throw new UsageError('no region: pass --region (or --endpoint for an S3-compatible store)');
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The flags every archive-using command shares (deploy, archive): where the bucket is. */
export const TARGET_FLAGS: Readonly<Record<string, FlagSpec>> = {
  bucket: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'path-style': { type: 'boolean' },
  outputs: { type: 'string' },
};

/** Old spellings of {@link TARGET_FLAGS}, accepted with a warning. */
export const DEPRECATED_TARGET_FLAGS: Readonly<Record<string, string>> = { 'shared-outputs': 'outputs' };

/** Reads the {@link TARGET_FLAGS} into {@link TargetFlags}. */
export function targetFlags(args: ParsedArgs): TargetFlags {
  return {
    bucket: stringFlag(args, 'bucket'),
    region: stringFlag(args, 'region'),
    endpoint: stringFlag(args, 'endpoint'),
    outputsFile: stringFlag(args, 'outputs'),
    ...(args.flags['path-style'] ? { pathStyle: true } : {}),
  };
}
