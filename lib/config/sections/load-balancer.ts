/**
 * The `loadBalancer` section (AWS): the certificate of the HTTPS listeners, the test listener that serves the
 * idle color, and the load balancer's protection settings.
 *
 * ```yaml
 * loadBalancer:
 *   certificate:
 *     domain: shop.example.com          # request and DNS-validate a certificate in this Route 53 zone ...
 *     zoneId: Z0123456789ABCDEFGHIJ
 *     # arn: arn:aws:acm:...            # ... or use an existing ACM certificate
 *     # hostname: shop.example.com      #     (and the name its DNS, managed elsewhere, gives the ALB)
 *   testListener:
 *     port: 8443
 *     allowedCidrs: [10.99.0.0/16]      # CI runners; never 0.0.0.0/0
 *   deletionProtection: true
 *   sslPolicy: ELBSecurityPolicy-TLS13-1-2-Res-2021-06   # the default: TLS 1.3 + TLS 1.2 AES-GCM, no CBC
 *   desyncMitigationMode: strictest   # the default; `defensive` is the opt-out
 *   strictTransportSecurity: max-age=31536000; includeSubDomains   # the default; `null` sends no HSTS header
 * ```
 */
import { z } from 'zod';
import { cidrBlock, internetWideSourcesProblem } from '../cidr';
import { cidr, port, report } from './common';
import { COLORS } from './release';

/** The default TLS policy of the HTTPS listeners: TLS 1.3, and TLS 1.2 with AES-GCM suites only (no CBC). */
export const ALB_DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06';
/** The listener TLS policies accepted: TLS 1.3 policies that allow nothing older than TLS 1.2 (not the `Ext` ones). */
export const ALB_MODERN_SSL_POLICY = /^ELBSecurityPolicy-TLS13-1-[23]-(?!Ext)/;
/** The default `Strict-Transport-Security` header of the HTTPS listeners: one year, subdomains included. */
export const DEFAULT_STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';
/** A `Strict-Transport-Security` header value the load balancer can send. */
export const STRICT_TRANSPORT_SECURITY_VALUE = /^max-age=\d+(; ?includeSubDomains)?(; ?preload)?$/;

const ACM_ARN = /^arn:aws(?:-[a-z]+)*:acm:[a-z]{2}(?:-gov)?-[a-z]+-\d:\d{12}:certificate\/[0-9a-f-]{36}$/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The HTTPS certificate: an existing ACM certificate, or a domain to request one for in a Route 53 zone. */
export const certificateSchema = z.union([
  z
    .object({
      arn: z
        .string()
        .regex(ACM_ARN, 'must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)'),
      /** The hostname users reach (DNS managed elsewhere), used in the live and test URLs; default: the ALB's DNS name. */
      hostname: z.string().regex(DOMAIN, 'must be a lowercase DNS name such as shop.example.com').optional(),
    })
    .strict(),
  z
    .object({
      /** The site's domain; the certificate is requested for it and an alias record points it at the load balancer. */
      domain: z.string().regex(DOMAIN, 'must be a lowercase DNS name such as shop.example.com'),
      /** The Route 53 hosted zone that holds the domain (validation records and the alias go there). */
      zoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, 'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ'),
    })
    .strict(),
]);

/** Load balancer values. */
export const loadBalancerSchema = z
  .object({
    /** Certificate of the HTTPS and test listeners (required on AWS). */
    certificate: certificateSchema.optional(),
    /** The test listener: HTTPS on its own port, forwarding to the idle color, reachable only from listed CIDRs. */
    testListener: z
      .object({
        /** Port of the test listener. */
        port: port.default(8443),
        /** Who may reach it (CI, office); the VPN's ranges are added by the VPN. Never 0.0.0.0/0. */
        allowedCidrs: z.array(cidr).default([]),
        /** Pin the test listener to a color; by default it follows the idle color (the one with less traffic). */
        color: z.enum(COLORS).optional(),
      })
      .strict()
      .default({}),
    /** Refuse to delete the load balancer (turn off only for disposable environments). */
    deletionProtection: z.boolean().default(true),
    /**
     * HTTP desync mitigation: `strictest` (the default: refuses every request that is not RFC 7230 compliant) or
     * `defensive` (AWS's default; the opt-out for clients that send ambiguous requests).
     */
    desyncMitigationMode: z.enum(['defensive', 'strictest']).default('strictest'),
    /**
     * TLS policy of the HTTPS and test listeners. The default allows TLS 1.3 and TLS 1.2 with AES-GCM suites
     * only (no CBC); `ELBSecurityPolicy-TLS13-1-2-2021-06` is the opt-out for clients that need CBC suites.
     */
    sslPolicy: z
      .string()
      .regex(
        ALB_MODERN_SSL_POLICY,
        'must be an ELBSecurityPolicy-TLS13-1-2-* or -1-3-* policy (TLS 1.2 or newer), e.g. ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
      )
      .default(ALB_DEFAULT_SSL_POLICY),
    /**
     * The `Strict-Transport-Security` header the HTTPS listeners add to every response (HSTS); `null` sends none
     * (the opt-out, e.g. while a subdomain still serves plain HTTP).
     */
    strictTransportSecurity: z
      .string()
      .regex(
        STRICT_TRANSPORT_SECURITY_VALUE,
        'must be a Strict-Transport-Security value such as "max-age=31536000; includeSubDomains"',
      )
      .nullable()
      .default(DEFAULT_STRICT_TRANSPORT_SECURITY),
    /** Seconds a deregistering instance keeps serving in-flight requests. */
    deregistrationDelaySeconds: z.number().int('must be a whole number').min(0).max(3600).default(30),
    /** Seconds over which a new instance's share ramps up; 0 turns slow start off, else 30–900. */
    slowStartSeconds: z
      .number()
      .int('must be a whole number')
      .refine((s) => s === 0 || (s >= 30 && s <= 900), 'must be 0 (off) or 30–900')
      .default(0),
  })
  .strict();

/** Load balancer values after defaults. */
export type LoadBalancerValues = z.infer<typeof loadBalancerSchema>;

/** Certificate required on AWS; the test port must not clash with 80/443 nor open to the internet. */
export function checkLoadBalancer(cloud: string, lb: LoadBalancerValues, ctx: z.RefinementCtx): void {
  if (cloud === 'aws' && !lb.certificate) {
    report(
      ctx,
      ['loadBalancer', 'certificate'],
      'required on AWS: an existing ACM certificate { arn } or { domain, zoneId } to request one',
    );
  }
  if (cloud !== 'aws' && lb.certificate) {
    report(
      ctx,
      ['loadBalancer', 'certificate'],
      `is AWS-only; on ${cloud} the certificate is configured in its own section`,
    );
  }
  const test = lb.testListener;
  if (test.port === 80 || test.port === 443) {
    report(
      ctx,
      ['loadBalancer', 'testListener', 'port'],
      `${test.port} is taken by the public listeners; pick another port such as 8443`,
    );
  }
  const why = 'it serves an unchecked release, so list the CI and VPN ranges instead';
  let itemProblems = 0;
  test.allowedCidrs.forEach((c, i) => {
    const block = (() => {
      try {
        return cidrBlock(c);
      } catch {
        return undefined; // malformed: already reported by the cidr schema
      }
    })();
    if (!block) return;
    const wide = internetWideSourcesProblem([c]);
    if (!wide) return;
    itemProblems++;
    const what =
      block.prefix === 0 ? `${c} opens the test listener to the internet` : `${wide}: too wide for the test listener`;
    report(ctx, ['loadBalancer', 'testListener', 'allowedCidrs', i], `${what}; ${why}`);
  });
  const together = itemProblems === 0 ? internetWideSourcesProblem(test.allowedCidrs) : undefined;
  if (together)
    report(
      ctx,
      ['loadBalancer', 'testListener', 'allowedCidrs'],
      `${together}: too wide for the test listener; ${why}`,
    );
}
