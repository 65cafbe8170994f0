import * as path from 'path';
import { ConfigError, formatIssue, loadEnvironments } from '../../lib/config';
import { envDir, withValue, shipped } from '../support/env-dir';
import { followPublished, resources, synthConfigs, synthEnvironments, SynthOptions, TfJson } from '../support/synth';

/** Synthesizes every shipped environment (with edits) and returns stack name → JSON text. */
function synthTexts(edits: Record<string, string> = {}, options: SynthOptions = {}): Map<string, string> {
  return synthConfigs(loadEnvironments({ dir: envDir(edits) }), options);
}

/** The stacks whose JSON differs between two syntheses. */
function changedStacks(a: Map<string, string>, b: Map<string, string>): string[] {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  return [...a.keys()].filter((name) => a.get(name) !== b.get(name)).sort();
}

/** Sets several values in one shipped file, comments kept. */
function withValues(file: string, values: Array<[Array<string | number>, unknown]>): string {
  const { parseDocument } = require('yaml') as typeof import('yaml');
  const doc = parseDocument(shipped(file));
  for (const [keyPath, value] of values) {
    if (value === undefined) doc.deleteIn(keyPath);
    else doc.setIn(keyPath, value);
  }
  return doc.toString();
}

/** Loads the values directory and returns the problem lines (fails when loading succeeds). */
function problems(dir: string): string[] {
  try {
    loadEnvironments({ dir });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const rel = path.dirname(dir);
    return (e as ConfigError).issues.map((i) =>
      formatIssue(i)
        .split(rel + path.sep)
        .join(''),
    );
  }
  throw new Error('expected the values to be rejected');
}

const listeners = (stack: TfJson) => resources(stack, 'aws_lb_listener');
const listenerOn = (stack: TfJson, port: number) => listeners(stack).find((l) => l.port === port);
/** The color of the target group a reference ends at (through the parameters `<env>-shared` publishes). */
const tgOf = (stacks: ReadonlyMap<string, TfJson>, ref: unknown) =>
  /^\$\{aws_lb_target_group\.alb_(blue|green)_[0-9A-F]+\.arn\}$/.exec(followPublished(stacks, ref))?.[1];

/** The shipped environments, synthesized once for this file (stack name → JSON text). */
const base = synthTexts();

describe('blue/green: what a change touches', () => {
  test('synthesis is deterministic', () => {
    // A real synthesis, not the run's cache (which would return `base` itself); `base` may come from another worker.
    expect(changedStacks(base, synthTexts({}, { cache: false }))).toEqual([]);
  });

  test('flipping traffic in prod changes only prod-cutover', () => {
    const flipped = synthTexts({
      'prod.yaml': withValues('prod.yaml', [
        [['traffic', 'blue'], 100],
        [['traffic', 'green'], 0],
      ]),
    });
    expect(changedStacks(base, flipped)).toEqual(['prod-cutover']);
  });

  test('a canary split in staging changes only staging-cutover', () => {
    const canary = synthTexts({
      'staging.yaml': withValues('staging.yaml', [
        [['traffic', 'strategy'], 'canary'],
        [['traffic', 'blue'], 90],
        [['traffic', 'green'], 10],
        [['traffic', 'stickinessSeconds'], 300],
      ]),
    });
    expect(changedStacks(base, canary)).toEqual(['staging-cutover']);
  });

  test("a new release of prod's idle color changes only that color's stack", () => {
    const release = synthTexts({
      'prod.yaml': withValues('prod.yaml', [
        [['colors', 'blue', 'release', 'version'], '1.6.0'],
        [['colors', 'blue', 'release', 'image'], 'ami-0123456789abcdef0'],
      ]),
    });
    expect(changedStacks(base, release)).toEqual(['prod-blue']);
  });

  test('resizing one color changes only that color', () => {
    const resized = synthTexts({
      'prod.yaml': withValue('prod.yaml', ['colors', 'green', 'capacity'], { min: 3, max: 9, desired: 4 }),
    });
    expect(changedStacks(base, resized)).toEqual(['prod-green']);
  });
});

describe('blue/green: prod as shipped (green live, blue idle)', () => {
  const stacks = new Map([...base].map(([name, text]) => [name, JSON.parse(text) as TfJson]));
  const cutover = stacks.get('prod-cutover')!;
  const shared = stacks.get('prod-shared')!;

  test('prod-cutover holds a weighted HTTPS listener over both target groups', () => {
    const https = listenerOn(cutover, 443)!;
    expect(https).toMatchObject({
      protocol: 'HTTPS',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
      routing_http_response_strict_transport_security_header_value: 'max-age=31536000; includeSubDomains',
    });
    const forward = (
      https.default_action as Array<{ forward: { target_group: Array<{ arn: string; weight: number }> } }>
    )[0].forward;
    expect(forward.target_group.map((t) => [tgOf(stacks, t.arn), t.weight])).toEqual([
      ['blue', 0],
      ['green', 100],
    ]);
    expect(followPublished(stacks, https.certificate_arn)).toMatch(/acm_certificate_validation/);
  });

  test('the test listener forwards to the idle color', () => {
    const test = listenerOn(cutover, 8443)!;
    expect(tgOf(stacks, (test.default_action as Array<{ target_group_arn: string }>)[0].target_group_arn)).toBe('blue');
  });

  test('HTTP redirects to HTTPS', () => {
    expect(listenerOn(cutover, 80)).toMatchObject({
      default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', status_code: 'HTTP_301' } }],
    });
  });

  test('outputs the live URL, test URL, live color and weights', () => {
    expect(followPublished(stacks, cutover.output?.live_url.value)).toBe('https://shop.example.com');
    expect(followPublished(stacks, cutover.output?.test_url.value)).toBe('https://shop.example.com:8443');
    expect(cutover.output).toMatchObject({
      live_color: { value: 'green' },
      weights: { value: { blue: 0, green: 100 } },
    });
  });

  test('prod-shared holds the load balancer, both target groups, the certificate and the DNS alias', () => {
    expect(resources(shared, 'aws_lb')).toEqual([
      expect.objectContaining({ enable_deletion_protection: true, drop_invalid_header_fields: true, internal: false }),
    ]);
    expect(
      resources(shared, 'aws_lb_target_group')
        .map((t) => t.name)
        .sort(),
    ).toEqual(['shop-prod-blue-8080', 'shop-prod-green-8080']);
    expect(resources(shared, 'aws_lb_target_group').every((t) => t.deregistration_delay === '60')).toBe(true);
    expect(resources(shared, 'aws_acm_certificate')).toEqual([
      expect.objectContaining({ domain_name: 'shop.example.com', validation_method: 'DNS' }),
    ]);
    expect(resources(shared, 'aws_route53_record').some((r) => r.type === 'A' && r.name === 'shop.example.com')).toBe(
      true,
    );
    const testSources = resources(shared, 'aws_vpc_security_group_ingress_rule')
      .filter((r) => r.from_port === 8443)
      .map((r) => r.cidr_ipv4);
    expect(testSources).toContain('198.51.100.0/24'); // CI, from the values (the VPN adds its own ranges)
    expect(testSources).not.toContain('0.0.0.0/0');
  });

  test.each(['blue', 'green'])('prod-%s holds an IMDSv2, encrypted launch template and an ELB-checked ASG', (color) => {
    const stack = stacks.get(`prod-${color}`)!;
    const [lt] = resources(stack, 'aws_launch_template');
    expect(lt.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
    expect(lt.block_device_mappings).toEqual([
      expect.objectContaining({ ebs: expect.objectContaining({ encrypted: 'true', volume_type: 'gp3' }) }),
    ]);
    const [asg] = resources(stack, 'aws_autoscaling_group');
    expect(asg).toMatchObject({
      health_check_type: 'ELB',
      min_size: 2,
      max_size: 6,
      desired_capacity: 3,
      wait_for_elb_capacity: 3,
    });
    expect(tgOf(stacks, (asg.target_group_arns as string[])[0])).toBe(color);
    expect(resources(stack, 'aws_lb_listener')).toEqual([]);
    expect(stack.output).toMatchObject({
      release_version: { value: color === 'green' ? '1.5.0' : '1.4.1' },
      autoscaling_group_name: { value: expect.stringMatching(/aws_autoscaling_group\.fleet_asg_[0-9A-F]+\.name/) },
    });
  });

  test('staging uses its existing certificate and may be deleted', () => {
    const stagingShared = stacks.get('staging-shared')!;
    expect(resources(stagingShared, 'aws_acm_certificate')).toEqual([]);
    expect(resources(stagingShared, 'aws_lb')[0].enable_deletion_protection).toBe(false);
    expect(followPublished(stacks, listenerOn(stacks.get('staging-cutover')!, 443)!.certificate_arn)).toMatch(
      /^arn:aws:acm:eu-west-1:222222222222:certificate\//,
    );
    const out = stacks.get('staging-cutover')!.output!;
    expect([out.live_url.value, out.test_url.value].map((v) => followPublished(stacks, v))).toEqual([
      'https://staging.shop.example.com',
      'https://staging.shop.example.com:8443',
    ]);
  });
});

test('without a hostname the URLs use the load balancer DNS name', () => {
  const stacks = synthEnvironments(
    envDir({ 'staging.yaml': withValue('staging.yaml', ['loadBalancer', 'certificate', 'hostname'], undefined) }),
    ['staging'],
  );
  expect(followPublished(stacks, stacks.get('staging-cutover')!.output?.live_url.value)).toMatch(
    /^https:\/\/\$\{aws_lb\.alb_[0-9A-F]+\.dns_name\}$/,
  );
});

describe('blue/green: strategies', () => {
  test('canary: a 90/10 split, the test listener on the canary, optional stickiness', () => {
    const stacks = synthEnvironments(
      envDir({
        'prod.yaml': withValues('prod.yaml', [
          [['traffic', 'strategy'], 'canary'],
          [['traffic', 'blue'], 10],
          [['traffic', 'green'], 90],
          [['traffic', 'stickinessSeconds'], 600],
        ]),
      }),
      ['prod'],
    );
    const cutover = stacks.get('prod-cutover')!;
    const forward = (
      listenerOn(cutover, 443)!.default_action as Array<{
        forward: { target_group: Array<{ weight: number }>; stickiness: unknown };
      }>
    )[0].forward;
    expect(forward.target_group.map((t) => t.weight)).toEqual([10, 90]);
    expect(forward.stickiness).toEqual({ enabled: true, duration: 600 });
    expect(
      tgOf(
        stacks,
        (listenerOn(cutover, 8443)!.default_action as Array<{ target_group_arn: string }>)[0].target_group_arn,
      ),
    ).toBe('blue');
    expect(cutover.output).toMatchObject({
      live_color: { value: 'green+blue' },
      weights: { value: { blue: 10, green: 90 } },
    });
  });

  test.each(['hard-cutover', 'rolling'])('%s: no test listener and no test URL', (strategy) => {
    const stacks = synthEnvironments(
      envDir({ 'prod.yaml': withValue('prod.yaml', ['traffic', 'strategy'], strategy) }),
      ['prod'],
    );
    const cutover = stacks.get('prod-cutover')!;
    expect(
      listeners(cutover)
        .map((l) => l.port)
        .sort(),
    ).toEqual([443, 80]);
    expect(cutover.output?.test_url).toBeUndefined();
  });

  test('rolling: the live fleet is replaced in place with the min healthy percentage from the values', () => {
    const stacks = synthEnvironments(
      envDir({
        'prod.yaml': withValues('prod.yaml', [
          [['traffic', 'strategy'], 'rolling'],
          [['fleet', 'minHealthyPercentage'], 75],
        ]),
      }),
      ['prod'],
    );
    const [asg] = resources(stacks.get('prod-green')!, 'aws_autoscaling_group');
    expect(asg.instance_refresh).toEqual({
      strategy: 'Rolling',
      preferences: { min_healthy_percentage: 75, auto_rollback: true },
    });
  });
});

describe('blue/green: safety checks at synth', () => {
  test('the shipped environments pass, DigitalOcean dev included', () => {
    expect(loadEnvironments({ dir: envDir() }).map((c) => [c.name, c.traffic.strategy])).toEqual([
      ['dev', 'blue-green'],
      ['prod', 'blue-green'],
      ['staging', 'blue-green'],
    ]);
  });

  test('fails on traffic to a color with desired capacity 0', () => {
    const dir = envDir({
      'prod.yaml': withValue('prod.yaml', ['colors', 'green', 'capacity'], { min: 0, max: 6, desired: 0 }),
    });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: traffic.green: environment prod: green would get 100% of traffic but colors.green.capacity.desired is 0; scale green up and deploy prod-green first; fix: set colors.green.capacity.desired: 1, or set traffic.green: 0 and set traffic.blue: 100',
    ]);
  });

  test('fails on a color with no release', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['colors', 'green', 'release'], undefined) });
    expect(problems(dir)).toEqual(['environments/prod.yaml: colors.green.release: required (object)']);
  });

  test('fails on both colors at 0', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['traffic', 'green'], 0) });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: traffic: both colors have weight 0, so nothing would serve users; fix: set traffic.green: 100, or set traffic.blue: 100',
    ]);
  });

  test.each(['blue-green', 'hard-cutover', 'rolling'])('fails on a 90/10 split under %s', (strategy) => {
    const dir = envDir({
      'prod.yaml': withValues('prod.yaml', [
        [['traffic', 'strategy'], strategy],
        [['traffic', 'blue'], 10],
        [['traffic', 'green'], 90],
      ]),
    });
    expect(problems(dir)).toEqual([
      `environments/prod.yaml: traffic.blue: blue at 10% splits traffic, which only strategy canary allows (strategy is ${strategy}); fix: set traffic.strategy: canary, or set traffic.blue: 0 and set traffic.green: 100, or set traffic.blue: 100 and set traffic.green: 0`,
      `environments/prod.yaml: traffic.green: green at 90% splits traffic, which only strategy canary allows (strategy is ${strategy}); fix: set traffic.strategy: canary, or set traffic.blue: 0 and set traffic.green: 100, or set traffic.blue: 100 and set traffic.green: 0`,
    ]);
  });

  test('fails on a test listener pinned to the live color', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['loadBalancer', 'testListener', 'color'], 'green') });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: loadBalancer.testListener.color: environment prod: the test listener would point at green, the live color (100% of traffic); fix: set loadBalancer.testListener.color: blue, or remove loadBalancer.testListener.color',
    ]);
  });

  test('fails on an even canary split with no pin, where no color is the new one for the test listener', () => {
    const dir = envDir({
      'prod.yaml': withValues('prod.yaml', [
        [['traffic', 'strategy'], 'canary'],
        [['traffic', 'blue'], 50],
        [['traffic', 'green'], 50],
      ]),
    });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: traffic: environment prod: both colors carry 50% of traffic, so neither is the new one for the test listener to serve; pin loadBalancer.testListener.color to the color being brought in; fix: set loadBalancer.testListener.color: blue, or set loadBalancer.testListener.color: green',
    ]);
  });

  test('fails on a pinned test listener under a strategy without one', () => {
    const dir = envDir({
      'prod.yaml': withValues('prod.yaml', [
        [['traffic', 'strategy'], 'hard-cutover'],
        [['loadBalancer', 'testListener', 'color'], 'blue'],
      ]),
    });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: loadBalancer.testListener.color: environment prod: strategy hard-cutover has no test listener to pin; fix: remove loadBalancer.testListener.color, or set traffic.strategy: blue-green, or set traffic.strategy: canary',
    ]);
  });

  test('fails on a test listener open to the internet', () => {
    const dir = envDir({
      'prod.yaml': withValue(
        'prod.yaml',
        ['loadBalancer', 'testListener', 'allowedCidrs'],
        ['198.51.100.0/24', '0.0.0.0/0'],
      ),
    });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: loadBalancer.testListener.allowedCidrs[1]: 0.0.0.0/0 opens the test listener to the internet; it serves an unchecked release, so list the CI and VPN ranges instead',
    ]);
  });

  test('fails on a test listener on a public port', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['loadBalancer', 'testListener', 'port'], 443) });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: loadBalancer.testListener.port: 443 is taken by the public listeners; pick another port such as 8443',
    ]);
  });

  test('fails on an AWS environment without a certificate', () => {
    const dir = envDir({ 'staging.yaml': withValue('staging.yaml', ['loadBalancer', 'certificate'], undefined) });
    expect(problems(dir)).toEqual([
      'environments/staging.yaml: loadBalancer.certificate: required on AWS: an existing ACM certificate { arn } or { domain, zoneId } to request one',
    ]);
  });

  test('fails on an unknown strategy', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['traffic', 'strategy'], 'big-bang') });
    expect(problems(dir)).toEqual([
      'environments/prod.yaml: traffic.strategy: must be one of blue-green, canary, hard-cutover, rolling (got "big-bang")',
    ]);
  });

  test('fails on a certificate in a DigitalOcean environment', () => {
    const dir = envDir({
      'dev.yaml': withValue('dev.yaml', ['loadBalancer', 'certificate'], {
        arn: 'arn:aws:acm:eu-west-1:111111111111:certificate/0b7f6a2e-4c1d-4e8a-9f3b-5d2c1e0a9b87',
      }),
    });
    expect(problems(dir)).toEqual([
      'environments/dev.yaml: loadBalancer.certificate: is AWS-only; on digitalocean the certificate is configured in its own section',
    ]);
  });
});
