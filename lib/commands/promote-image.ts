/**
 * Promoting machine images into an environment's region: on AWS an AMI copy (`CopyImage`, always encrypted) into the
 * account of the credentials, waited for until `available` and tagged with the release version; on DigitalOcean a
 * snapshot transfer to the environment's region through the API (`POST /v2/images/{id}/actions`, type `transfer`).
 * A copy made earlier of the same source image (found by its `cdktf-bluegreen:source-image` tag) is used again.
 */
import {
  CopyImageCommand,
  CreateTagsCommand,
  DescribeImagesCommand,
  EC2Client,
  Image,
  waitUntilImageAvailable,
} from '@aws-sdk/client-ec2';
import { PromotionError } from './promote-oci';

/** The tag that names the source of a copied AMI: `<region>/<ami-id>`. */
export const SOURCE_IMAGE_TAG = 'cdktf-bluegreen:source-image';
/** The tag that carries the release version on a promoted AMI. */
export const RELEASE_VERSION_TAG = 'release-version';

/** Options of {@link copyAmi}. */
export interface CopyAmiOptions {
  /** The source AMI id. */
  readonly imageId: string;
  /** The region the source AMI is in. */
  readonly fromRegion: string;
  /**
   * The account that owns the source AMI (checked before copying; the AMI must be shared with the target account).
   * @default - any owner the credentials can see
   */
  readonly fromAccount?: string;
  /** The environment's region (the copy's region). */
  readonly region: string;
  /** The name of the copy, unique in the account and region (e.g. `shop-prod-1.5.0-ami-0123…`). */
  readonly name: string;
  /** The release version the copy is tagged with. */
  readonly version: string;
  /**
   * Tags added to the copy besides the source and version tags (the environment's `tags`, `environment`).
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * KMS key (id, ARN or alias ARN) the copy's snapshots are encrypted with.
   * @default - the account's default EBS key in the region (`aws/ebs`), the key the fleets' volumes use by default
   */
  readonly kmsKeyId?: string;
  /** The EC2 client of a region. */
  readonly ec2: (region: string) => EC2Client;
  /**
   * Seconds to wait for the copy to become `available`.
   * @default 3600
   */
  readonly maxWaitSeconds?: number;
  /**
   * Progress output.
   * @default - none
   */
  readonly log?: (line: string) => void;
}

/** What {@link copyAmi} did. */
export interface CopiedImage {
  /** The id in the environment's region. */
  readonly imageId: string;
  /** False when an earlier copy of the same source was found (nothing copied). */
  readonly copied: boolean;
}

/**
 * Copies an AMI into the environment's region (encrypted), waits until it is `available`, and tags it with the release
 * version and its source; an `available` copy of the same source that exists already is used instead.
 *
 * @throws PromotionError naming the image, the region and the reason
 */
export async function copyAmi(options: CopyAmiOptions): Promise<CopiedImage> {
  const log = options.log ?? (() => {});
  const where = `${options.fromRegion}${options.fromAccount ? ` (account ${options.fromAccount})` : ''}`;
  const fail = (region: string, reason: string) => new PromotionError(`${options.imageId}: EC2 ${region}: ${reason}`);
  const source = options.ec2(options.fromRegion);
  const target = options.region === options.fromRegion ? source : options.ec2(options.region);
  const sdk = async <T>(region: string, what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof PromotionError) throw e;
      throw fail(region, `${what} failed: ${(e as Error).name}: ${(e as Error).message}`);
    }
  };
  try {
    const found = await sdk(options.fromRegion, 'DescribeImages', () =>
      source.send(
        new DescribeImagesCommand({
          ImageIds: [options.imageId],
          ...(options.fromAccount ? { Owners: [options.fromAccount] } : {}),
        }),
      ),
    ).catch((e: PromotionError) => {
      if (/InvalidAMIID/.test(e.message)) return { Images: [] as Image[] };
      throw e;
    });
    const image = found.Images?.[0];
    if (!image) throw fail(options.fromRegion, `does not resolve in ${where} (no such image the credentials can see)`);
    if (image.State !== 'available')
      throw fail(options.fromRegion, `is ${image.State ?? 'in an unknown state'}, not available`);

    const sourceTag = `${options.fromRegion}/${options.imageId}`;
    const earlier = await sdk(options.region, 'DescribeImages', () =>
      target.send(
        new DescribeImagesCommand({
          Owners: ['self'],
          Filters: [{ Name: `tag:${SOURCE_IMAGE_TAG}`, Values: [sourceTag] }],
        }),
      ),
    );
    const reuse = (earlier.Images ?? []).find((i) => i.State === 'available' && i.ImageId);
    let imageId: string;
    if (reuse) {
      imageId = reuse.ImageId!;
      log(`  ${options.imageId}: ${options.region} has its copy ${imageId} already; nothing copied`);
    } else {
      log(
        `  ${options.imageId}: CopyImage ${where} -> ${options.region} (encrypted${options.kmsKeyId ? ` with ${options.kmsKeyId}` : ' with the default EBS key'})`,
      );
      const copy = await sdk(options.region, 'CopyImage', () =>
        target.send(
          new CopyImageCommand({
            SourceImageId: options.imageId,
            SourceRegion: options.fromRegion,
            Name: options.name,
            Description: `Release ${options.version}, copied from ${sourceTag} by npm run promote`,
            Encrypted: true,
            ...(options.kmsKeyId ? { KmsKeyId: options.kmsKeyId } : {}),
          }),
        ),
      );
      if (!copy.ImageId) throw fail(options.region, 'CopyImage returned no image id');
      imageId = copy.ImageId;
      log(`  ${options.imageId}: waiting for ${imageId} to become available`);
      await sdk(options.region, `waiting for ${imageId}`, () =>
        waitUntilImageAvailable(
          { client: target, maxWaitTime: options.maxWaitSeconds ?? 3600, minDelay: 5, maxDelay: 30 },
          { ImageIds: [imageId] },
        ),
      );
    }
    const tags = { ...(options.tags ?? {}), [SOURCE_IMAGE_TAG]: sourceTag, [RELEASE_VERSION_TAG]: options.version };
    await sdk(options.region, 'CreateTags', () =>
      target.send(
        new CreateTagsCommand({
          Resources: [imageId],
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    );
    return { imageId, copied: !reuse };
  } finally {
    source.destroy();
    if (target !== source) target.destroy();
  }
}

/** Options of {@link transferSnapshot}. */
export interface TransferSnapshotOptions {
  /** The snapshot (image) id. */
  readonly imageId: string;
  /** The environment's region slug, e.g. `fra1`. */
  readonly region: string;
  /** API token (`DIGITALOCEAN_TOKEN`). */
  readonly token: string;
  /**
   * The API's base URL.
   * @default 'https://api.digitalocean.com'
   */
  readonly apiUrl?: string;
  /**
   * Milliseconds between polls of the transfer action.
   * @default 10000
   */
  readonly pollMs?: number;
  /**
   * Milliseconds to wait for the transfer.
   * @default 3600000
   */
  readonly timeoutMs?: number;
  /**
   * Progress output.
   * @default - none
   */
  readonly log?: (line: string) => void;
}

/**
 * Makes a DigitalOcean snapshot available in the environment's region: nothing to do when it is there already;
 * otherwise a `transfer` image action, polled until `completed`. The snapshot keeps its id.
 *
 * @throws PromotionError naming the snapshot, the API and the reason
 */
export async function transferSnapshot(
  options: TransferSnapshotOptions,
): Promise<{ imageId: string; copied: boolean }> {
  const api = (options.apiUrl ?? 'https://api.digitalocean.com').replace(/\/$/, '');
  const fail = (reason: string) => new PromotionError(`snapshot ${options.imageId}: ${api}: ${reason}`);
  const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${api}${url}`, {
        method,
        headers: { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw fail(`${method} ${url} failed (${(e as Error).message})`);
    }
    if (response.status === 404) throw fail(`${method} ${url}: not found (does the snapshot exist in this account?)`);
    if (!response.ok) throw fail(`${method} ${url} answered HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  const { image } = await call<{ image?: { id?: number; regions?: string[]; status?: string } }>(
    'GET',
    `/v2/images/${encodeURIComponent(options.imageId)}`,
  );
  if (!image) throw fail('the API returned no image');
  if (image.regions?.includes(options.region)) {
    options.log?.(`  snapshot ${options.imageId}: already in ${options.region}; nothing transferred`);
    return { imageId: options.imageId, copied: false };
  }
  options.log?.(
    `  snapshot ${options.imageId}: transfer ${(image.regions ?? []).join(', ') || '?'} -> ${options.region}`,
  );
  const { action } = await call<{ action?: { id?: number; status?: string } }>(
    'POST',
    `/v2/images/${encodeURIComponent(options.imageId)}/actions`,
    { type: 'transfer', region: options.region },
  );
  if (!action?.id) throw fail('the transfer action returned no id');
  const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
  let status = action.status;
  while (status !== 'completed') {
    if (status === 'errored') throw fail(`transfer action ${action.id} errored`);
    if (Date.now() > deadline)
      throw fail(`transfer action ${action.id} still ${status} after ${(options.timeoutMs ?? 3_600_000) / 1000} s`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 10_000));
    status = (await call<{ action?: { status?: string } }>('GET', `/v2/actions/${action.id}`)).action?.status;
  }
  return { imageId: options.imageId, copied: true };
}
