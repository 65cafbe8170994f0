import { Testing } from 'cdktf';
import { SharedLookup, SharedParameters, SharedParametersProps } from '../../lib/aws/shared-parameters';
import { AWS_SHARED_VALUES } from '../../stacks/contract';

const VALUES: SharedParametersProps['values'] = {
  privateSubnetIds: ['subnet-a', 'subnet-b'],
  instanceSecurityGroupId: 'sg-1',
  blueTargetGroupArn: 'arn:blue',
  greenTargetGroupArn: 'arn:green',
  loadBalancerArn: 'arn:lb',
  certificateArn: 'arn:cert',
  hostname: 'shop.example.com',
  appFilesAccessPolicyArn: 'arn:files',
  registryPullPolicyArn: 'arn:pull',
  logForwarderReadPolicyArn: 'arn:logs',
};

describe('SharedParameters', () => {
  const json = JSON.parse(
    Testing.synthScope(
      (scope) => new SharedParameters(scope, 'published', { app: 'shop', environment: 'prod', values: VALUES }),
    ),
  );
  const params = Object.values(json.resource.aws_ssm_parameter) as Array<Record<string, unknown>>;

  test('one String parameter per contract value under /<app>/<env>/shared/, lists comma-joined', () => {
    expect(params.map((p) => p.name).sort()).toEqual(
      Object.values(AWS_SHARED_VALUES)
        .map((v) => `/shop/prod/shared/${v.name}`)
        .sort(),
    );
    expect(params.every((p) => p.type === 'String' && p.tier === 'Standard' && p.value === undefined)).toBe(true);
    expect(params.find((p) => p.name === '/shop/prod/shared/private-subnet-ids')!.insecure_value).toBe(
      '${join(",", ["subnet-a", "subnet-b"])}',
    );
    expect(params.find((p) => p.name === '/shop/prod/shared/hostname')!.insecure_value).toBe('shop.example.com');
  });

  test('fails on an empty list', () => {
    expect(() =>
      Testing.synthScope(
        (scope) =>
          new SharedParameters(scope, 'published', {
            app: 'shop',
            environment: 'prod',
            values: { ...VALUES, privateSubnetIds: [] },
          }),
      ),
    ).toThrow('stack/published: privateSubnetIds is empty. Fix: publish at least one value in privateSubnetIds');
  });
});

describe('SharedLookup', () => {
  test('one recursive by-path data source whose postcondition requires exactly the named values and names <env>-shared', () => {
    const json = JSON.parse(
      Testing.synthScope(
        (scope) =>
          new SharedLookup(scope, 'shared', {
            app: 'shop',
            environment: 'prod',
            required: ['loadBalancerArn', 'hostname'],
          }),
      ),
    );
    const [lookup] = Object.values(json.data.aws_ssm_parameters_by_path) as Array<Record<string, any>>;
    expect(lookup).toMatchObject({ path: '/shop/prod/shared/', recursive: true, with_decryption: false });
    const [post] = lookup.lifecycle.postcondition;
    expect(post.condition).toBe(
      '${(length(setsubtract(["/shop/prod/shared/load-balancer-arn", "/shop/prod/shared/hostname"], self.names)) < 1)}',
    );
    expect(post.error_message).toContain(
      'prod-shared has not been deployed (or is older than this release): deploy it first with `npx cdktf deploy prod-shared`. Missing: ',
    );
  });

  test('reads a value from the names and (non-sensitive) values the data source returns', () => {
    let value = '';
    Testing.synthScope((scope) => {
      value = new SharedLookup(scope, 'shared', { app: 'shop', environment: 'prod', required: ['hostname'] }).get(
        'hostname',
      );
    });
    expect(value).toMatch(/^\$\{TfToken\[/); // a Terraform expression, resolved at plan time
  });

  test('fails on reading a value it does not require (the plan would not check it exists)', () => {
    expect(() =>
      Testing.synthScope((scope) =>
        new SharedLookup(scope, 'shared', { app: 'shop', environment: 'prod', required: ['hostname'] }).get(
          'loadBalancerArn',
        ),
      ),
    ).toThrow(
      'stack/shared: loadBalancerArn is not in required. Fix: add loadBalancerArn to required, so the plan checks that prod-shared publishes it',
    );
  });

  test('fails on an empty required list', () => {
    expect(() =>
      Testing.synthScope(
        (scope) => new SharedLookup(scope, 'shared', { app: 'shop', environment: 'prod', required: [] }),
      ),
    ).toThrow('stack/shared: required is empty. Fix: name the published values this stack reads');
  });
});
