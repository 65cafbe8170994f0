/**
 * The wait between the two deploys of a zero-downtime cutover on DigitalOcean: after step 1 (the live load balancer
 * serves both colors), wait until the joining color's droplets are in the load balancer and have had the time its
 * health check needs to mark a healthy droplet healthy, before step 2 removes the old color.
 *
 * The DigitalOcean API's load balancer object lists its droplets and its own status, not each droplet's health, so
 * "healthy" here means: every droplet of the tag is `active`, the load balancer is `active` and lists all of them,
 * and `healthy_threshold × check_interval_seconds + response_timeout_seconds` have passed since then (a droplet
 * that fails its checks gets no traffic, and the old color still serves). Prove the droplets answer beforehand with
 * the smoke test on the preview load balancer, which serves the same droplets.
 *
 * Endpoints: `GET /v2/load_balancers`, `GET /v2/load_balancers/{id}`, `GET /v2/droplets?tag_name=` (API v2).
 */

/** Options for {@link waitForJoinedDroplets}. */
export interface LoadBalancerJoinOptions {
  /** DigitalOcean API token (read access to load balancers and droplets is enough). */
  readonly token: string;
  /** Name of the live load balancer, e.g. `shop-dev-live`. */
  readonly loadBalancerName: string;
  /** Tag of the joining color's droplets, e.g. `shop-dev-green`. */
  readonly dropletTag: string;
  /**
   * Base URL of the API.
   * @default 'https://api.digitalocean.com'
   */
  readonly apiUrl?: string;
  /**
   * Seconds to wait in all before giving up.
   * @default 600
   */
  readonly timeoutSeconds?: number;
  /**
   * Seconds between polls.
   * @default 10
   */
  readonly pollSeconds?: number;
  /**
   * Progress, line by line.
   * @default - silent
   */
  readonly log?: (line: string) => void;
  /**
   * Sleeps `ms` milliseconds (tests pass a fake clock).
   * @default setTimeout
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * The current time in milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** What {@link waitForJoinedDroplets} found. */
export interface LoadBalancerJoinResult {
  /** The load balancer's id. */
  readonly loadBalancerId: string;
  /** The joining droplets, all in the load balancer. */
  readonly dropletIds: readonly number[];
  /** Seconds the health check needs for a healthy droplet (the settle time waited out). */
  readonly settleSeconds: number;
  /** Seconds waited in all. */
  readonly waitedSeconds: number;
}

/** Thrown when the droplets do not join in time, or the API refuses the request. */
export class LoadBalancerJoinError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadBalancerJoinError';
  }
}

interface ApiLoadBalancer {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly droplet_ids?: readonly number[];
  readonly health_check?: {
    readonly check_interval_seconds?: number;
    readonly response_timeout_seconds?: number;
    readonly healthy_threshold?: number;
  };
}

/**
 * Waits until the droplets tagged `dropletTag` serve behind the load balancer named `loadBalancerName`, as described
 * above. Resolves with what it saw; rejects with {@link LoadBalancerJoinError} naming what was still missing.
 */
export async function waitForJoinedDroplets(options: LoadBalancerJoinOptions): Promise<LoadBalancerJoinResult> {
  const api = (options.apiUrl ?? 'https://api.digitalocean.com').replace(/\/$/, '');
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const start = now();
  const deadline = start + (options.timeoutSeconds ?? 600) * 1000;
  const get = async <T>(pathAndQuery: string): Promise<T> => {
    const response = await fetch(`${api}${pathAndQuery}`, {
      headers: { Authorization: `Bearer ${options.token}`, Accept: 'application/json' },
    });
    if (!response.ok)
      throw new LoadBalancerJoinError(
        `GET ${pathAndQuery}: the DigitalOcean API answered ${response.status}${response.status === 401 ? ' (check DIGITALOCEAN_TOKEN)' : ''}`,
      );
    return (await response.json()) as T;
  };

  const { load_balancers: all } = await get<{ load_balancers: ApiLoadBalancer[] }>('/v2/load_balancers?per_page=200');
  const found = all.find((lb) => lb.name === options.loadBalancerName);
  if (!found)
    throw new LoadBalancerJoinError(
      `no load balancer named ${options.loadBalancerName}; deploy the cutover stack first`,
    );
  let readySince: number | undefined;
  let missing: string;
  for (;;) {
    const { droplets } = await get<{ droplets: Array<{ id: number; status: string }> }>(
      `/v2/droplets?tag_name=${encodeURIComponent(options.dropletTag)}&per_page=200`,
    );
    if (droplets.length === 0)
      throw new LoadBalancerJoinError(`no droplet is tagged ${options.dropletTag}; deploy that color's stack first`);
    const { load_balancer: lb } = await get<{ load_balancer: ApiLoadBalancer }>(
      `/v2/load_balancers/${encodeURIComponent(found.id)}`,
    );
    const hc = lb.health_check ?? {};
    // Defaults of the DigitalOcean API when a field is absent (check 10 s, timeout 5 s, healthy after 5).
    const settleSeconds =
      (hc.healthy_threshold ?? 5) * (hc.check_interval_seconds ?? 10) + (hc.response_timeout_seconds ?? 5);
    const inLb = new Set(lb.droplet_ids ?? []);
    const notActive = droplets.filter((d) => d.status !== 'active').map((d) => d.id);
    const notIn = droplets.filter((d) => !inLb.has(d.id)).map((d) => d.id);
    missing = [
      lb.status !== 'active' ? `load balancer status is ${lb.status}` : '',
      notActive.length > 0 ? `droplets not active: ${notActive.join(', ')}` : '',
      notIn.length > 0 ? `droplets not in the load balancer: ${notIn.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const t = now();
    if (missing) readySince = undefined;
    else readySince ??= t;
    if (readySince !== undefined && t - readySince >= settleSeconds * 1000) {
      log(
        `${options.loadBalancerName}: ${droplets.length} ${options.dropletTag} droplet(s) in the load balancer for ${Math.round((t - readySince) / 1000)} s (health check settles in ${settleSeconds} s)`,
      );
      return {
        loadBalancerId: found.id,
        dropletIds: droplets.map((d) => d.id),
        settleSeconds,
        waitedSeconds: Math.round((t - start) / 1000),
      };
    }
    if (t >= deadline) {
      throw new LoadBalancerJoinError(
        `${options.dropletTag} droplets did not settle behind ${options.loadBalancerName} within ${options.timeoutSeconds ?? 600} s: ${missing || `in the load balancer for ${Math.round((t - readySince!) / 1000)} s of the ${settleSeconds} s its health check needs`}; keep the old color live (do not run step 2)`,
      );
    }
    log(`${options.loadBalancerName}: ${missing || `waiting for the health check to settle (${settleSeconds} s)`}`);
    await sleep((options.pollSeconds ?? 10) * 1000);
  }
}
