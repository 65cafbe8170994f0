import { DataDigitaloceanDomain } from '@cdktf/provider-digitalocean/lib/data-digitalocean-domain';
import { Record as DnsRecord } from '@cdktf/provider-digitalocean/lib/record';
import { Construct } from 'constructs';
import { checkProp } from '../construct-errors';

/** Props for {@link HostRecord}. */
export interface HostRecordProps {
  /** The DigitalOcean-hosted domain, e.g. `shop.example.com`; the plan fails when the account does not host it. */
  readonly domain: string;
  /** The host name, inside `domain` (the domain itself makes the apex record `@`). */
  readonly hostname: string;
  /** The IPv4 address the name points at (a load balancer's `ip`). */
  readonly ipv4Address: string;
  /**
   * TTL in seconds.
   * @default 300
   */
  readonly ttlSeconds?: number;
}

/**
 * One explicit `A` record in a DigitalOcean-hosted domain: the only DNS the stacks write (the load balancers are told
 * not to create records of their own). The domain is looked up at plan time, so a domain the account does not host
 * stops the plan instead of the apply.
 */
export class HostRecord extends Construct {
  /** The plan-time lookup of the domain. */
  public readonly domain: DataDigitaloceanDomain;
  /** The record. */
  public readonly record: DnsRecord;

  constructor(scope: Construct, id: string, props: HostRecordProps) {
    super(scope, id);
    const { domain, hostname } = props;
    checkProp(this, [hostname, domain], ([host, zone]) =>
      host === zone || host.endsWith(`.${zone}`)
        ? undefined
        : `hostname ${host} is not inside the domain ${zone}. Fix: use a name ending in .${zone}`,
    );
    const ttl = props.ttlSeconds ?? 300;
    checkProp(this, ttl, (t) =>
      !Number.isInteger(t) || t < 30
        ? `ttlSeconds must be a whole number ≥ 30 (got ${t}). Fix: use 30 or more`
        : undefined,
    );
    this.domain = new DataDigitaloceanDomain(this, 'domain', { name: domain });
    this.record = new DnsRecord(this, 'record', {
      domain: this.domain.name,
      type: 'A',
      name: hostname === domain ? '@' : hostname.slice(0, hostname.length - domain.length - 1),
      value: props.ipv4Address,
      ttl,
    });
  }
}
