import { loadEnvironments } from '../../lib/config';
import { configProblems as problems } from '../support/config-problems';
import { envDir, withValue } from '../support/env-dir';

/** prod.yaml with `loadBalancer.<keyPath>` set to `value`; returns the problems. */
function prodWith(keyPath: Array<string | number>, value: unknown): string[] {
  return problems(envDir({ 'prod.yaml': withValue('prod.yaml', ['loadBalancer', ...keyPath], value) }), ['prod']);
}

describe('loadBalancer values: the test listener never admits the internet, however it is split', () => {
  test('fails on two halves that together cover the whole internet, naming each half', () => {
    const out = prodWith(['testListener', 'allowedCidrs'], ['0.0.0.0/1', '128.0.0.0/1']);
    expect(out).toEqual([
      expect.stringMatching(
        /^environments\/prod\.yaml: loadBalancer\.testListener\.allowedCidrs\[0\]: 0\.0\.0\.0\/1 admits [\d,]+ public IPv4 addresses, more than a \/8 \(16,777,216\): too wide for the test listener; it serves an unchecked release/,
      ),
      expect.stringMatching(
        /^environments\/prod\.yaml: loadBalancer\.testListener\.allowedCidrs\[1\]: 128\.0\.0\.0\/1 admits [\d,]+ public IPv4 addresses/,
      ),
    ]);
  });

  test('fails on /8s that each pass but together cover more than a /8 of public space', () => {
    expect(prodWith(['testListener', 'allowedCidrs'], ['52.0.0.0/8', '54.0.0.0/8'])).toEqual([
      'environments/prod.yaml: loadBalancer.testListener.allowedCidrs: 52.0.0.0/8, 54.0.0.0/8 together admit 33,554,432 public IPv4 addresses, more than a /8 (16,777,216): too wide for the test listener; it serves an unchecked release, so list the CI and VPN ranges instead',
    ]);
  });

  test('fails on thirty-two /5s that together are the internet', () => {
    const fifths = Array.from({ length: 32 }, (_, i) => `${i * 8}.0.0.0/5`);
    const out = prodWith(['testListener', 'allowedCidrs'], fifths);
    expect(out.length).toBeGreaterThan(0);
    expect(out.every((l) => l.startsWith('environments/prod.yaml: loadBalancer.testListener.allowedCidrs'))).toBe(true);
  });

  test('passes private ranges wider than a /8 and CI /24s', () => {
    const [prod] = loadEnvironments({
      dir: envDir({
        'prod.yaml': withValue(
          'prod.yaml',
          ['loadBalancer', 'testListener', 'allowedCidrs'],
          ['198.51.100.0/24', '10.0.0.0/8', '172.16.0.0/12'],
        ),
      }),
      only: ['prod'],
    });
    expect(prod.loadBalancer.testListener.allowedCidrs).toHaveLength(3);
  });
});

describe('loadBalancer values: TLS defaults and their opt-outs', () => {
  const [prod] = loadEnvironments({ dir: envDir(), only: ['prod'] });

  test('default to the no-CBC TLS policy, strictest desync mitigation and a one-year HSTS header', () => {
    expect(prod.loadBalancer.sslPolicy).toBe('ELBSecurityPolicy-TLS13-1-2-Res-2021-06');
    expect(prod.loadBalancer.desyncMitigationMode).toBe('strictest');
    expect(prod.loadBalancer.strictTransportSecurity).toBe('max-age=31536000; includeSubDomains');
  });

  test('opt out explicitly: CBC-capable policy, defensive desync, no HSTS', () => {
    const dir = envDir({
      'prod.yaml': withValue('prod.yaml', ['loadBalancer'], {
        ...(prod.loadBalancer as object),
        sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        desyncMitigationMode: 'defensive',
        strictTransportSecurity: null,
      }),
    });
    const [out] = loadEnvironments({ dir, only: ['prod'] });
    expect(out.loadBalancer).toMatchObject({
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      desyncMitigationMode: 'defensive',
      strictTransportSecurity: null,
    });
  });

  test('fails on a TLS 1.0 policy and a malformed HSTS value', () => {
    expect(prodWith(['sslPolicy'], 'ELBSecurityPolicy-2016-08')).toEqual([
      'environments/prod.yaml: loadBalancer.sslPolicy: must be an ELBSecurityPolicy-TLS13-1-2-* or -1-3-* policy (TLS 1.2 or newer), e.g. ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
    ]);
    expect(prodWith(['strictTransportSecurity'], 'forever')).toEqual([
      'environments/prod.yaml: loadBalancer.strictTransportSecurity: must be a Strict-Transport-Security value such as "max-age=31536000; includeSubDomains"',
    ]);
  });
});
