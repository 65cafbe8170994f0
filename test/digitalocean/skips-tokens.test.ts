// The DigitalOcean constructs that validate numbers skip values only Terraform knows (unresolved tokens) instead of
// comparing a token's placeholder. Not here: DropletFleet `count` (it decides how many droplets exist at synth).
import { Testing, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { DeploymentBucket } from '../../lib/digitalocean/deployment-bucket';
import { HostRecord } from '../../lib/digitalocean/host-record';
import { LoadBalancer } from '../../lib/digitalocean/load-balancer';
import { LogStore } from '../../lib/digitalocean/log-store';

/** Builds in a fresh scope with a number and a string only Terraform knows. */
function withTokens(build: (scope: Construct, n: number, s: string) => void): () => string {
  return () =>
    Testing.synthScope((scope) => {
      const n = new TerraformVariable(scope, 'n', { type: 'number' }).numberValue;
      const s = new TerraformVariable(scope, 's', { type: 'string' }).stringValue;
      build(scope, n, s);
    });
}

describe('skips tokens', () => {
  test('LoadBalancer: sizeUnit, stickinessSeconds, appPort and allowedCidrs', () => {
    const build = withTokens(
      (scope, n, s) =>
        new LoadBalancer(scope, 'lb', {
          name: 'shop-dev-live',
          region: 'fra1',
          vpcId: 'vpc-123',
          dropletTag: 'shop-dev-blue',
          appPort: n,
          healthCheckPath: '/health',
          certificateName: 'shop-dev',
          sizeUnit: n,
          stickinessSeconds: n,
          allowedCidrs: [s],
        }),
    );
    expect(build).not.toThrow();
  });

  test('DeploymentBucket: day counts', () => {
    expect(
      withTokens(
        (scope, n) =>
          new DeploymentBucket(scope, 'bucket', {
            bucketName: 'shop-dev-deployments',
            region: 'fra1',
            noncurrentVersionExpirationDays: n,
            abortIncompleteUploadDays: n,
          }),
      ),
    ).not.toThrow();
  });

  test('HostRecord: ttlSeconds', () => {
    expect(
      withTokens(
        (scope, n) =>
          new HostRecord(scope, 'record', {
            domain: 'example.com',
            hostname: 'shop.example.com',
            ipv4Address: '203.0.113.10',
            ttlSeconds: n,
          }),
      ),
    ).not.toThrow();
  });

  test('LogStore: nodeCount', () => {
    expect(
      withTokens(
        (scope, n) =>
          new LogStore(scope, 'store', {
            name: 'shop-dev-logs',
            region: 'fra1',
            vpcId: 'vpc-123',
            allowedTags: ['shop-dev'],
            nodeCount: n,
          }),
      ),
    ).not.toThrow();
  });
});
