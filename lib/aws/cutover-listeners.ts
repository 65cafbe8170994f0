import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { Construct } from 'constructs';
import {
  ALB_DEFAULT_SSL_POLICY,
  ALB_MODERN_SSL_POLICY,
  DEFAULT_STRICT_TRANSPORT_SECURITY,
  STRICT_TRANSPORT_SECURITY_VALUE,
} from '../config/sections/load-balancer';
import { COLORS, Color } from '../config/sections/release';
import { carriesMostTraffic } from '../config/sections/cutover-safety';
import { Weights, liveColor } from '../config/sections/traffic';
import { PUBLIC_LISTENER_PORTS } from './app-load-balancer';
import { ICertificateRef } from './references';
import { propsValidator } from '../construct-errors';

/**
 * The TLS policy of the HTTPS listeners: TLS 1.3, and TLS 1.2 with forward-secret AES-GCM suites only (no CBC
 * suites, unlike `ELBSecurityPolicy-TLS13-1-2-2021-06`).
 */
export const DEFAULT_SSL_POLICY = ALB_DEFAULT_SSL_POLICY;

/**
 * What the listeners attach to: a load balancer, its `blue`/`green` target groups and the test listener port.
 * An `AppLoadBalancer` is one; the cutover stack builds one from the ARNs `<env>-shared` publishes.
 */
export interface ListenerLoadBalancer {
  /** The load balancer (its ARN). */
  readonly loadBalancer: { readonly arn: string };
  /** The target group of each color (their ARNs). */
  readonly targetGroups: Readonly<Record<Color, { readonly arn: string }>>;
  /** Port of the test listener. */
  readonly testListenerPort: number;
}

/** Props for {@link CutoverListeners}. */
export interface CutoverListenersProps {
  /** The load balancer and its `blue`/`green` target groups (an `AppLoadBalancer`, or ARNs published by the shared stack). */
  readonly loadBalancer: ListenerLoadBalancer;
  /** ACM certificate of the HTTPS and test listeners (a {@link TlsCertificate}, or `{ arn }` the shared stack published). */
  readonly certificate: ICertificateRef;
  /** Percent of live traffic per color; whole numbers summing to 100. */
  readonly weights: Weights;
  /**
   * Seconds a client sticks to the color it first reached; 0 turns stickiness off.
   * @default 0
   */
  readonly stickinessSeconds?: number;
  /**
   * The color the test listener serves; must not be the live color.
   * @default - no test listener
   */
  readonly testColor?: Color;
  /**
   * TLS policy of the HTTPS listeners: an `ELBSecurityPolicy-TLS13-1-2-*` or `-1-3-*` policy.
   * `ELBSecurityPolicy-TLS13-1-2-2021-06` is the opt-out for clients that still need CBC suites.
   * @default DEFAULT_SSL_POLICY (no CBC suites)
   */
  readonly sslPolicy?: string;
  /**
   * The `Strict-Transport-Security` header the HTTPS and test listeners add to every response (the listener
   * attribute `routing.http.response.strict_transport_security.header_value`); `null` sends none.
   * @default DEFAULT_STRICT_TRANSPORT_SECURITY
   */
  readonly strictTransportSecurity?: string | null;
}

/**
 * The listeners that decide who gets traffic: HTTPS on 443 forwarding to both target groups by weight (optionally
 * sticky), HTTP on 80 redirecting to HTTPS, and a test listener (HTTPS on the load balancer's test port) that
 * forwards to the idle color so it can be checked before users reach it. Changing weights or the test color
 * updates these listeners in place; construct ids never change.
 */
export class CutoverListeners extends Construct {
  /** HTTPS on 443: the weighted forward. */
  public readonly https: LbListener;
  /** HTTP on 80: redirect to HTTPS. */
  public readonly httpRedirect: LbListener;
  /** The test listener, when `testColor` is given. */
  public readonly test?: LbListener;
  /** The weights in force. */
  public readonly weights: Weights;
  /** The color with most of the traffic (`undefined` at an even split). */
  public readonly liveColor?: Color;

  constructor(scope: Construct, id: string, props: CutoverListenersProps) {
    super(scope, id);
    validate(this, props);
    const lb = props.loadBalancer;
    const sslPolicy = props.sslPolicy ?? DEFAULT_SSL_POLICY;
    const sticky = props.stickinessSeconds ?? 0;
    const hsts =
      props.strictTransportSecurity === undefined ? DEFAULT_STRICT_TRANSPORT_SECURITY : props.strictTransportSecurity;
    const hstsAttribute = hsts === null ? {} : { routingHttpResponseStrictTransportSecurityHeaderValue: hsts };
    this.weights = { blue: props.weights.blue, green: props.weights.green };
    this.liveColor = liveColor(props.weights);

    this.https = new LbListener(this, 'https', {
      loadBalancerArn: lb.loadBalancer.arn,
      port: PUBLIC_LISTENER_PORTS.https,
      protocol: 'HTTPS',
      sslPolicy,
      certificateArn: props.certificate.arn,
      ...hstsAttribute,
      defaultAction: [
        {
          type: 'forward',
          forward: {
            targetGroup: COLORS.map((color) => ({ arn: lb.targetGroups[color].arn, weight: props.weights[color] })),
            ...(sticky > 0 ? { stickiness: { enabled: true, duration: sticky } } : {}),
          },
        },
      ],
    });
    this.httpRedirect = new LbListener(this, 'http-redirect', {
      loadBalancerArn: lb.loadBalancer.arn,
      port: PUBLIC_LISTENER_PORTS.http,
      protocol: 'HTTP',
      defaultAction: [
        {
          type: 'redirect',
          redirect: { protocol: 'HTTPS', port: String(PUBLIC_LISTENER_PORTS.https), statusCode: 'HTTP_301' },
        },
      ],
    });
    if (props.testColor) {
      this.test = new LbListener(this, 'test', {
        loadBalancerArn: lb.loadBalancer.arn,
        port: lb.testListenerPort,
        protocol: 'HTTPS',
        sslPolicy,
        certificateArn: props.certificate.arn,
        ...hstsAttribute,
        defaultAction: [{ type: 'forward', targetGroupArn: lb.targetGroups[props.testColor].arn }],
      });
    }
  }
}

function validate(scope: Construct, props: CutoverListenersProps): void {
  const { check } = propsValidator(scope);
  for (const color of COLORS) {
    check(props.weights[color], (w) =>
      !Number.isInteger(w) || w < 0 || w > 100
        ? `weights.${color} must be a whole number 0–100 (got ${w}). Fix: set traffic.${color} within 0–100`
        : undefined,
    );
  }
  check([props.weights.blue, props.weights.green], ([blue, green]) =>
    blue + green !== 100
      ? `weights must sum to 100 (got blue ${blue} + green ${green} = ${blue + green}). Fix: make them add up to 100`
      : undefined,
  );
  check(props.stickinessSeconds ?? 0, (sticky) =>
    !Number.isInteger(sticky) || sticky < 0 || sticky > 604800
      ? `stickinessSeconds must be 0 (off) to 604800 (got ${sticky}). Fix: set it within that range`
      : undefined,
  );
  check(props.sslPolicy ?? DEFAULT_SSL_POLICY, (policy) =>
    ALB_MODERN_SSL_POLICY.test(policy)
      ? undefined
      : `sslPolicy "${policy}" allows TLS below 1.2 or legacy ciphers. Fix: use ${DEFAULT_SSL_POLICY}, ELBSecurityPolicy-TLS13-1-2-2021-06 or a stricter ELBSecurityPolicy-TLS13-1-3-* policy`,
  );
  const hsts = props.strictTransportSecurity;
  if (typeof hsts === 'string') {
    check(hsts, (value) =>
      STRICT_TRANSPORT_SECURITY_VALUE.test(value)
        ? undefined
        : `strictTransportSecurity "${value}" is not a Strict-Transport-Security value. Fix: use e.g. "${DEFAULT_STRICT_TRANSPORT_SECURITY}", or null to send none`,
    );
  }
  const test = props.testColor;
  if (test) {
    check(props.weights, (weights) =>
      carriesMostTraffic(weights, test)
        ? `the test listener would point at ${test}, the live color (${weights[test]}% of traffic). Fix: point it at the idle color`
        : undefined,
    );
  }
}
