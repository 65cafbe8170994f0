import { createHash } from 'crypto';

/**
 * Fits a resource name into an AWS length limit (load balancers and target groups: 32 characters). A name that
 * fits is returned unchanged; a longer one keeps its start and ends with a 6-character hash of the full name, so
 * it stays unique and stable across syntheses.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  return `${name.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}
