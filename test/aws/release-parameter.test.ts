import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { ReleaseParameter, ReleaseParameterProps, releaseParameterValue } from '../../lib/aws/release-parameter';
import { byId, synthJson } from '../support/aws-fixture';

const DIGEST = `111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop@sha256:${'a1'.repeat(32)}`;
const RELEASE = { version: '1.5.0', image: 'ami-0f1e2d3c4b5a69788', artifact: DIGEST };

function fixture(props: Partial<ReleaseParameterProps> = {}) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const parameter = new ReleaseParameter(stack, 'release', {
    app: 'shop',
    environment: 'prod',
    color: 'green',
    release: RELEASE,
    region: 'eu-west-1',
    ...props,
  });
  return { stack, parameter };
}

describe('ReleaseParameter', () => {
  const { stack, parameter } = fixture();
  parameter.grantRead('read', { name: 'shop-prod-green-release-read' });
  const json = synthJson(stack);
  const ssm = Object.values(byId(json, 'aws_ssm_parameter'))[0];

  test('is a String at /<app>/<env>/<color>/release', () => {
    expect(ssm).toMatchObject({ name: '/shop/prod/green/release', type: 'String', tier: 'Standard' });
    expect(ssm.key_id).toBeUndefined();
  });

  test('holds the release as JSON: version, image and the artifact by digest', () => {
    expect(JSON.parse(ssm.value as string)).toEqual({
      app: 'shop',
      environment: 'prod',
      color: 'green',
      version: '1.5.0',
      image: RELEASE.image,
      artifact: DIGEST,
    });
  });

  test('the value is a pure, stable function of the release (sorted keys)', () => {
    const value = releaseParameterValue({ app: 'shop', environment: 'prod', color: 'green', release: RELEASE });
    expect(value).toBe(ssm.value);
    expect(Object.keys(JSON.parse(value))).toEqual(['app', 'artifact', 'color', 'environment', 'image', 'version']);
  });

  test('grantRead allows reading exactly this parameter', () => {
    const doc = JSON.parse(Object.values(byId(json, 'aws_iam_policy'))[0].policy as string) as {
      Statement: Array<{ Action: string[]; Resource: string }>;
    };
    expect(doc.Statement).toHaveLength(1);
    expect(doc.Statement[0].Action).toEqual(['ssm:GetParameter', 'ssm:GetParameters']);
    expect(doc.Statement[0].Resource).toMatch(
      /^arn:\$\{data\.aws_partition\..*\}:ssm:eu-west-1:\$\{data\.aws_caller_identity\..*\}:parameter\/shop\/prod\/green\/release$/,
    );
  });
});

describe('ReleaseParameter marked secure', () => {
  const { stack } = fixture({ secure: true, encryptionKey: { arn: 'alias/shop-secrets' } });
  const ssm = Object.values(byId(synthJson(stack), 'aws_ssm_parameter'))[0];

  test('is a SecureString encrypted with the given key', () => {
    expect(ssm).toMatchObject({ type: 'SecureString', key_id: 'alias/shop-secrets' });
  });
});

describe('ReleaseParameter validation', () => {
  test('fails on an artifact that is not pinned by digest', () => {
    expect(() => fixture({ release: { ...RELEASE, artifact: 'shop:latest' } })).toThrow(
      /artifact "shop:latest" is not pinned by digest/,
    );
  });

  test('fails on a path segment with a slash', () => {
    expect(() => fixture({ color: 'green/x' })).toThrow(/color "green\/x" must be letters, digits/);
  });

  test('fails on a KMS key without secure: true', () => {
    expect(() => fixture({ encryptionKey: { arn: 'alias/x' } })).toThrow(
      /encryptionKey is only used for a SecureString/,
    );
  });
});
