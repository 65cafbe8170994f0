import { LoadBalancer, LoadBalancerProps } from '../../lib/digitalocean/load-balancer';
import { onlyResource } from '../support/construct-synth';
import { LOAD_BALANCER_PROPS } from '../support/digitalocean-props';

const PROPS: LoadBalancerProps = { ...LOAD_BALANCER_PROPS, projectId: 'project-1' };

const synth = (props: LoadBalancerProps) =>
  onlyResource('digitalocean_loadbalancer', (scope) => new LoadBalancer(scope, 'live', props));

describe('LoadBalancer', () => {
  const lb = synth(PROPS);

  test('in the VPC and project, sending traffic to the droplets of one tag', () => {
    expect(lb).toMatchObject({
      name: 'shop-dev-live',
      region: 'fra1',
      vpc_uuid: 'vpc-123',
      project_id: 'project-1',
      droplet_tag: 'shop-dev-blue',
      size_unit: 1,
    });
    expect(lb.droplet_ids).toBeUndefined();
  });

  test('HTTPS on 443 with the certificate, HTTP on 80 only to redirect, both to the app port over the VPC', () => {
    expect(lb.forwarding_rule).toEqual([
      {
        entry_port: 443,
        entry_protocol: 'https',
        target_port: 8080,
        target_protocol: 'http',
        certificate_name: 'shop-dev',
      },
      { entry_port: 80, entry_protocol: 'http', target_port: 8080, target_protocol: 'http' },
    ]);
    expect(lb.redirect_http_to_https).toBe(true);
    expect(lb.tls_cipher_policy).toBe('STRONG');
  });

  test('health check on the application path and port', () => {
    expect(lb.healthcheck).toEqual({
      protocol: 'http',
      port: 8080,
      path: '/health',
      check_interval_seconds: 10,
      response_timeout_seconds: 5,
      healthy_threshold: 3,
      unhealthy_threshold: 3,
    });
  });

  test('public, no stickiness, prevent_destroy by default', () => {
    expect(lb.firewall).toBeUndefined();
    expect(lb.sticky_sessions).toEqual({ type: 'none' });
    expect(lb.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('restricted to the allowed CIDRs, cookie stickiness, destroyable when asked', () => {
    const preview = synth({
      ...PROPS,
      allowedCidrs: ['203.0.113.0/24', '198.51.100.7/32'],
      stickinessSeconds: 300,
      preventDestroy: false,
    });
    expect(preview.firewall).toEqual({ allow: ['cidr:203.0.113.0/24', 'cidr:198.51.100.7/32'] });
    expect(preview.sticky_sessions).toEqual({ type: 'cookies', cookie_name: 'DO-LB', cookie_ttl_seconds: 300 });
    expect(preview.lifecycle).toEqual({ prevent_destroy: false });
  });

  test('a certificate by id', () => {
    const byId = synth({ ...PROPS, certificateName: undefined, certificateId: '892071a0-bb95-49bc-8021-3afd67a210bf' });
    expect(byId.forwarding_rule[0]).toMatchObject({ certificate_id: '892071a0-bb95-49bc-8021-3afd67a210bf' });
    expect(byId.forwarding_rule[0].certificate_name).toBeUndefined();
  });

  test('fails without a certificate, or with both a name and an id', () => {
    expect(() => synth({ ...PROPS, certificateName: undefined })).toThrow(
      /give exactly one of certificateName or certificateId/,
    );
    expect(() => synth({ ...PROPS, certificateId: '892071a0-bb95-49bc-8021-3afd67a210bf' })).toThrow(
      /give exactly one of certificateName or certificateId/,
    );
  });

  test('fails on an empty allow list (it would refuse everyone)', () => {
    expect(() => synth({ ...PROPS, allowedCidrs: [] })).toThrow(/allowedCidrs is empty, which would refuse everyone/);
  });

  test('fails on a relative health check path', () => {
    expect(() => synth({ ...PROPS, healthCheckPath: 'health' })).toThrow(
      /healthCheckPath "health" must be an absolute path/,
    );
  });

  test('fails on a bad port', () => {
    expect(() => synth({ ...PROPS, appPort: 70000 })).toThrow(/appPort must be 1–65535 \(got 70000\)/);
  });
});
