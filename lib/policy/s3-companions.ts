import { isTrue, StackView, SynthResource } from './stack-view';

/**
 * The resources of `type` in the stack that configure `bucket` (S3 settings live in separate resources since
 * AWS provider v4): their `bucket` argument references the bucket, or names it literally.
 */
export function bucketCompanions(bucket: SynthResource, stack: StackView, type: string): SynthResource[] {
  const name = bucket.config.bucket;
  return stack
    .ofType(type)
    .filter(
      (r) =>
        stack.referencing(bucket, type, 'bucket').includes(r) || (typeof name === 'string' && r.config.bucket === name),
    );
}

/**
 * Whether a bucket holds archives (object lock with a default retention required): tagged `purpose: archive`
 * (or `data-class: archive`), named `*archive*`, or created with object lock (which only archives need).
 */
export function isArchiveBucket(bucket: SynthResource): boolean {
  if (isTrue(bucket.config.object_lock_enabled)) return true;
  const tags = (bucket.config.tags ?? {}) as Record<string, unknown>;
  if (tags.purpose === 'archive' || tags['data-class'] === 'archive') return true;
  const name = bucket.config.bucket ?? bucket.config.bucket_prefix;
  return typeof name === 'string' && /archive/i.test(name);
}
