import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Testing } from 'cdktf';
import { fitName } from '../../lib/aws/aws-names';
import { byId, lbFixture, synthJson } from '../support/aws-fixture';

type Rule = Record<string, unknown>;

describe('AppLoadBalancer with defaults', () => {
  const { stack, alb } = lbFixture({ testListenerCidrs: ['198.51.100.0/24'] });
  const synth = Testing.synth(stack);
  const json = synthJson(stack);
  const ingress = Object.values(byId(json, 'aws_vpc_security_group_ingress_rule')) as Rule[];
  const egress = Object.values(byId(json, 'aws_vpc_security_group_egress_rule')) as Rule[];
  const sgIdRef = (construct: string) => new RegExp(`^\\$\\{aws_security_group\\.alb_${construct}_[0-9A-F]+\\.id\\}$`);

  test('is an internet-facing application load balancer in the public subnets', () => {
    expect(synth).toHaveResourceWithProperties(Lb, {
      internal: false,
      load_balancer_type: 'application',
      name: 'shop-test',
    });
    const lb = Object.values(byId(json, 'aws_lb'))[0];
    expect(lb.subnets).toEqual([
      expect.stringMatching(/aws_subnet\.network_public-eu-west-1a_/),
      expect.stringMatching(/aws_subnet\.network_public-eu-west-1b_/),
    ]);
  });

  test('drops invalid headers, mitigates desync, and is protected from deletion', () => {
    expect(synth).toHaveResourceWithProperties(Lb, {
      drop_invalid_header_fields: true,
      desync_mitigation_mode: 'strictest',
      enable_deletion_protection: true,
    });
  });

  test('writes access logs under alb/ in the log bucket, after the bucket policy exists', () => {
    const lb = Object.values(byId(json, 'aws_lb'))[0];
    expect(lb.access_logs).toEqual({
      bucket: expect.stringMatching(/aws_s3_bucket\.logs_bucket_.*\.bucket/),
      prefix: 'alb',
      enabled: true,
    });
    expect(lb.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\.logs_policy_/)]);
  });

  test('has one target group per color under the stable ids blue and green', () => {
    const ids = Object.keys(byId(json, 'aws_lb_target_group')).sort();
    expect(ids).toEqual([
      expect.stringMatching(/^alb_blue_[0-9A-F]+$/),
      expect.stringMatching(/^alb_green_[0-9A-F]+$/),
    ]);
    expect(Object.keys(alb.targetGroups).sort()).toEqual(['blue', 'green']);
    for (const color of ['blue', 'green']) {
      expect(synth).toHaveResourceWithProperties(LbTargetGroup, {
        name: `shop-test-${color}-8080`,
        lifecycle: { create_before_destroy: true },
        port: 8080,
        protocol: 'HTTP',
        deregistration_delay: '30',
        slow_start: 0,
        health_check: expect.objectContaining({ path: '/health', port: 'traffic-port', matcher: '200', enabled: true }),
      });
    }
  });

  test('admits 443 and 80 from anywhere, and the test port only from the allowed CIDR', () => {
    const albRules = ingress.filter((r) => sgIdRef('alb-sg').test(String(r.security_group_id)));
    expect(albRules.map((r) => [r.from_port, r.cidr_ipv4]).sort()).toEqual([
      [443, '0.0.0.0/0'],
      [80, '0.0.0.0/0'],
      [8443, '198.51.100.0/24'],
    ]);
    expect(albRules.every((r) => r.from_port === r.to_port && r.ip_protocol === 'tcp')).toBe(true);
  });

  test('never opens the test port to the internet', () => {
    expect(ingress.filter((r) => r.from_port === 8443 && r.cidr_ipv4 === '0.0.0.0/0')).toEqual([]);
  });

  test('instances accept the app port only from the load balancer', () => {
    const instanceRules = ingress.filter((r) => sgIdRef('instance-sg').test(String(r.security_group_id)));
    expect(instanceRules).toHaveLength(1);
    expect(instanceRules[0]).toMatchObject({ from_port: 8080, to_port: 8080, ip_protocol: 'tcp' });
    expect(instanceRules[0].referenced_security_group_id).toMatch(sgIdRef('alb-sg'));
    expect(instanceRules[0].cidr_ipv4).toBeUndefined();
  });

  test('the load balancer sends only to the instances on the app port', () => {
    const albOut = egress.filter((r) => sgIdRef('alb-sg').test(String(r.security_group_id)));
    expect(albOut).toEqual([
      expect.objectContaining({
        from_port: 8080,
        to_port: 8080,
        referenced_security_group_id: expect.stringMatching(sgIdRef('instance-sg')),
      }),
    ]);
  });

  test('security groups carry no inline rules, so other constructs can add rule resources', () => {
    expect(
      Object.values(byId(json, 'aws_security_group'))
        .map((sg) => sg.name_prefix)
        .sort(),
    ).toEqual(['shop-test-alb-', 'shop-test-instances-']);
    for (const sg of Object.values(byId(json, 'aws_security_group'))) {
      expect(sg.lifecycle).toEqual({ create_before_destroy: true });
      expect(sg.ingress).toBeUndefined();
      expect(sg.egress).toBeUndefined();
    }
    expect(alb.testListenerPort).toBe(8443);
  });
});

describe('AppLoadBalancer options', () => {
  test('deletion protection, desync mode, delay and slow start follow the props', () => {
    const { stack } = lbFixture({
      deletionProtection: false,
      desyncMitigationMode: 'strictest',
      deregistrationDelaySeconds: 90,
      slowStartSeconds: 60,
    });
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(Lb, {
      enable_deletion_protection: false,
      desync_mitigation_mode: 'strictest',
    });
    expect(synth).toHaveResourceWithProperties(LbTargetGroup, { deregistration_delay: '90', slow_start: 60 });
  });

  test('allowTestListenerFrom adds a test-port rule for an extra range (e.g. the VPN)', () => {
    const { stack, alb } = lbFixture({ testListenerPort: 9443 });
    alb.allowTestListenerFrom('vpn-onprem', '172.16.0.0/12', 'on-premises over the VPN');
    const rules = Object.values(byId(synthJson(stack), 'aws_vpc_security_group_ingress_rule'));
    expect(rules).toContainEqual(
      expect.objectContaining({
        from_port: 9443,
        to_port: 9443,
        cidr_ipv4: '172.16.0.0/12',
        description: 'on-premises over the VPN',
      }),
    );
  });

  test('addAliasRecord points a domain at the load balancer', () => {
    const { stack, alb } = lbFixture();
    alb.addAliasRecord('dns', 'Z0123456789ABCDEFGHIJ', 'shop.example.com');
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Route53Record, {
      zone_id: 'Z0123456789ABCDEFGHIJ',
      name: 'shop.example.com',
      type: 'A',
      alias: expect.objectContaining({
        evaluate_target_health: true,
        name: expect.stringMatching(/aws_lb\.alb_[0-9A-F]+\.dns_name/),
      }),
    });
  });

  test('long names are shortened to 32 characters with a stable hash', () => {
    const long = 'a-very-long-application-name-production-green';
    expect(fitName(long, 32)).toHaveLength(32);
    expect(fitName(long, 32)).toBe(fitName(long, 32));
    expect(fitName(long, 32)).not.toBe(fitName(`${long}x`, 32));
    expect(fitName('shop-prod-blue', 32)).toBe('shop-prod-blue');
  });

  test('fails on a test listener open to the internet', () => {
    expect(() => lbFixture({ testListenerCidrs: ['0.0.0.0/0'] })).toThrow(
      /test listener must not be open to the internet \(got 0\.0\.0\.0\/0\)/,
    );
    const { alb } = lbFixture();
    expect(() => alb.allowTestListenerFrom('x', '0.0.0.0/0')).toThrow(/must not be open to the internet/);
  });

  test('fails on a malformed test CIDR', () => {
    expect(() => lbFixture({ testListenerCidrs: ['10.0.0.1/8'] })).toThrow(
      /has host bits set; did you mean 10\.0\.0\.0\/8/,
    );
  });

  test('fails on a test port taken by a public listener', () => {
    expect(() => lbFixture({ testListenerPort: 443 })).toThrow(/testListenerPort 443 is taken by a public listener/);
  });

  test('fails on fewer than two public subnets', () => {
    expect(() => {
      const f = lbFixture({}, 'one');
      lbFixture({ publicSubnets: [f.network.publicSubnets[0]] }, 'two');
    }).toThrow(/needs subnets in at least two AZs \(got 1\)/);
  });

  test('fails on a slow start outside 30–900 seconds', () => {
    expect(() => lbFixture({ slowStartSeconds: 10 })).toThrow(
      /slowStartSeconds must be 0 \(off\) or 30–900 \(got 10\)/,
    );
  });
});
