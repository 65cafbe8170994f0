import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { Testing } from 'cdktf';
import { CutoverListeners, CutoverListenersProps, DEFAULT_SSL_POLICY } from '../../lib/aws/cutover-listeners';
import { byId, lbFixture, synthJson } from '../support/aws-fixture';

const CERT = 'arn:aws:acm:eu-west-1:111111111111:certificate/0b7f6a2e-4c1d-4e8a-9f3b-5d2c1e0a9b87';

function build(overrides: Partial<CutoverListenersProps> = {}) {
  const f = lbFixture();
  const listeners = new CutoverListeners(f.stack, 'listeners', {
    loadBalancer: f.alb,
    certificate: { arn: CERT },
    weights: { blue: 0, green: 100 },
    testColor: 'blue',
    ...overrides,
  });
  const json = synthJson(f.stack);
  const byPort = (port: number) => Object.values(byId(json, 'aws_lb_listener')).find((l) => l.port === port);
  return { f, listeners, json, synth: Testing.synth(f.stack), byPort };
}

const tgRef = (color: string) =>
  expect.stringMatching(new RegExp(`^\\$\\{aws_lb_target_group\\.alb_${color}_[0-9A-F]+\\.arn\\}$`));

describe('CutoverListeners: green live, blue idle', () => {
  const { listeners, synth, byPort, json } = build();

  test('HTTPS on 443 with the TLS 1.3/1.2 policy without CBC suites and the certificate', () => {
    expect(synth).toHaveResourceWithProperties(LbListener, {
      port: 443,
      protocol: 'HTTPS',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
      certificate_arn: CERT,
    });
    expect(DEFAULT_SSL_POLICY).toBe('ELBSecurityPolicy-TLS13-1-2-Res-2021-06');
  });

  test('the HTTPS and test listeners send HSTS (one year, subdomains); the HTTP redirect sends none', () => {
    const hsts = 'max-age=31536000; includeSubDomains';
    expect(byPort(443)!.routing_http_response_strict_transport_security_header_value).toBe(hsts);
    expect(byPort(8443)!.routing_http_response_strict_transport_security_header_value).toBe(hsts);
    expect(byPort(80)!.routing_http_response_strict_transport_security_header_value).toBeUndefined();
  });

  test('forwards to both target groups with the weights from traffic', () => {
    expect(byPort(443)!.default_action).toEqual([
      {
        type: 'forward',
        forward: {
          target_group: [
            { arn: tgRef('blue'), weight: 0 },
            { arn: tgRef('green'), weight: 100 },
          ],
        },
      },
    ]);
  });

  test('HTTP on 80 only redirects to HTTPS', () => {
    expect(byPort(80)).toMatchObject({
      protocol: 'HTTP',
      default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }],
    });
  });

  test('the test listener serves the idle color over HTTPS on the test port', () => {
    expect(byPort(8443)).toMatchObject({
      protocol: 'HTTPS',
      ssl_policy: DEFAULT_SSL_POLICY,
      certificate_arn: CERT,
      default_action: [{ type: 'forward', target_group_arn: tgRef('blue') }],
    });
  });

  test('uses the stable construct ids https, http-redirect and test', () => {
    expect(
      Object.keys(byId(json, 'aws_lb_listener'))
        .map((k) => k.replace(/_[0-9A-F]+$/, ''))
        .sort(),
    ).toEqual(['listeners_http-redirect', 'listeners_https', 'listeners_test']);
    expect(listeners.liveColor).toBe('green');
  });
});

describe('CutoverListeners options', () => {
  test('a canary split with stickiness', () => {
    const { byPort, listeners } = build({
      weights: { blue: 90, green: 10 },
      testColor: 'green',
      stickinessSeconds: 600,
    });
    expect(byPort(443)!.default_action).toEqual([
      {
        type: 'forward',
        forward: {
          target_group: [
            { arn: tgRef('blue'), weight: 90 },
            { arn: tgRef('green'), weight: 10 },
          ],
          stickiness: { enabled: true, duration: 600 },
        },
      },
    ]);
    expect(byPort(8443)!.default_action).toEqual([{ type: 'forward', target_group_arn: tgRef('green') }]);
    expect(listeners.liveColor).toBe('blue');
  });

  test('an even canary split serves the pinned color on the test listener (neither color carries most traffic)', () => {
    const { byPort } = build({ weights: { blue: 50, green: 50 }, testColor: 'blue' });
    expect(byPort(8443)!.default_action).toEqual([{ type: 'forward', target_group_arn: tgRef('blue') }]);
  });

  test('no test listener without a test color', () => {
    const { byPort, listeners } = build({ testColor: undefined });
    expect(byPort(8443)).toBeUndefined();
    expect(listeners.test).toBeUndefined();
  });

  test('a stricter TLS 1.3-only policy is accepted', () => {
    expect(build({ sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' }).byPort(443)!.ssl_policy).toBe(
      'ELBSecurityPolicy-TLS13-1-3-2021-06',
    );
  });

  test.each([
    [
      'weights that do not sum to 100',
      { weights: { blue: 50, green: 60 } },
      /weights must sum to 100 \(got blue 50 \+ green 60 = 110\)/,
    ],
    [
      'a fractional weight',
      { weights: { blue: 99.5, green: 0.5 } },
      /weights\.blue must be a whole number 0–100 \(got 99\.5\)/,
    ],
    [
      'a test listener on the live color',
      { testColor: 'green' },
      /the test listener would point at green, the live color \(100% of traffic\)/,
    ],
    [
      'a TLS policy that allows TLS 1.0',
      { sslPolicy: 'ELBSecurityPolicy-2016-08' },
      /sslPolicy "ELBSecurityPolicy-2016-08" allows TLS below 1\.2/,
    ],
    [
      'a TLS policy with legacy ciphers',
      { sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06' },
      /allows TLS below 1\.2 or legacy ciphers/,
    ],
    ['a negative stickiness', { stickinessSeconds: -1 }, /stickinessSeconds must be 0 \(off\) to 604800 \(got -1\)/],
  ] as Array<[string, Partial<CutoverListenersProps>, RegExp]>)('fails on %s', (_name, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});

describe('CutoverListeners: TLS opt-outs are explicit values', () => {
  test('strictTransportSecurity null sends no HSTS header; a custom value is sent as given', () => {
    expect(
      build({ strictTransportSecurity: null }).byPort(443)!
        .routing_http_response_strict_transport_security_header_value,
    ).toBeUndefined();
    expect(
      build({ strictTransportSecurity: 'max-age=63072000; includeSubDomains; preload' }).byPort(443)!
        .routing_http_response_strict_transport_security_header_value,
    ).toBe('max-age=63072000; includeSubDomains; preload');
  });
  test('the CBC-capable TLS13-1-2-2021-06 policy is an accepted opt-out', () => {
    expect(build({ sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' }).byPort(443)!.ssl_policy).toBe(
      'ELBSecurityPolicy-TLS13-1-2-2021-06',
    );
  });
  test('fails on a malformed HSTS value, naming the construct and the fix', () => {
    expect(() => build({ strictTransportSecurity: 'one year' })).toThrow(
      /^test\/listeners: strictTransportSecurity "one year" is not a Strict-Transport-Security value\. Fix: use e\.g\. "max-age=31536000; includeSubDomains", or null/,
    );
  });
});
