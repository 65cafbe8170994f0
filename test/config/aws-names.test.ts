import { z } from 'zod';
import { checkAwsNames } from '../../lib/config/sections/app';
import { configProblems } from '../support/config-problems';
import { edited, envDir, withValue } from '../support/env-dir';

/** The problems of the shipped environments with `app.name` set in defaults.yaml (AWS environments only report). */
const withAppName = (name: string) =>
  configProblems(envDir({ 'defaults.yaml': withValue('defaults.yaml', ['app', 'name'], name) }), ['prod']);

/** The problems checkAwsNames reports for an AWS environment `env` of app `app`, as `key.path: message`. */
function direct(env: string, app: string, tags: Record<string, string> = {}): string[] {
  const result = z
    .any()
    .superRefine((_, ctx) => checkAwsNames('aws', env, app, tags, ctx))
    .safeParse(null);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('AWS names in the values: reported at the key that causes them, with the AWS rule', () => {
  test('fails an app name starting with internal- (load balancer name)', () => {
    expect(withAppName('internal-x')).toEqual([
      expect.stringMatching(
        /^environments\/defaults\.yaml: app\.name: "internal-x" makes the load balancer name "internal-x-prod", which must not begin with "internal-" .*API_CreateLoadBalancer\.html/,
      ),
      expect.stringMatching(
        /^environments\/defaults\.yaml: app\.name: "internal-x" makes the load balancer name "internal-x-staging", which must not begin with "internal-"/,
      ),
    ]);
  });

  test('fails an app name "internal" too: <app>-<env> begins with internal-', () => {
    expect(withAppName('internal').join('\n')).toMatch(
      /app\.name: "internal" makes the load balancer name "internal-prod", which must not begin with "internal-"/,
    );
  });

  test('fails an environment name ending in a hyphen (load balancer name, ECR repository), at name in its own file', () => {
    const dir = envDir({ 'prod-.yaml': edited('prod.yaml', /^name: prod$/m, 'name: prod-'), 'prod.yaml': null });
    const problems = configProblems(dir, ['prod-']);
    expect(problems).toEqual([
      expect.stringMatching(
        /^environments\/prod-\.yaml: name: "prod-" makes the load balancer name "shop-prod-", which must not begin or end with a hyphen \(https:\/\/docs\.aws\.amazon\.com\/elasticloadbalancing/,
      ),
      expect.stringMatching(
        /^environments\/prod-\.yaml: name: "prod-" makes the ECR repository name "shop\/prod-", which must be lowercase .*API_CreateRepository\.html/,
      ),
    ]);
  });

  test('fails S3 reserved bucket prefixes sthree- and amzn-s3-demo- (S3 bucket name)', () => {
    expect(withAppName('sthree')).toEqual([
      expect.stringMatching(
        /^environments\/defaults\.yaml: app\.name: "sthree" makes the S3 bucket name "sthree-prod-access-logs", which must not begin with the reserved prefix "sthree-" .*bucketnamingrules/,
      ),
      expect.stringMatching(
        /^environments\/defaults\.yaml: app\.name: "sthree" makes the S3 bucket name "sthree-staging-access-logs", which must not begin with the reserved prefix "sthree-"/,
      ),
    ]);
    expect(withAppName('amzn-s3-demo').join('\n')).toMatch(
      /app\.name: .*S3 bucket name "amzn-s3-demo-prod-access-logs", which must not begin with the reserved prefix "amzn-s3-demo-"/,
    );
  });

  test('fails consecutive hyphens (ECR repository name), and xn-- (S3 bucket name)', () => {
    const problems = withAppName('xn--shop').join('\n');
    expect(problems).toMatch(
      /app\.name: "xn--shop" makes the S3 bucket name "xn--shop-prod-access-logs", which must not begin with the reserved prefix "xn--"/,
    );
    expect(problems).toMatch(
      /app\.name: "xn--shop" makes the ECR repository name "xn--shop\/prod", which must be lowercase/,
    );
  });

  test('fails an app name starting with ssm or aws (SSM parameter name /<app>/<env>/...)', () => {
    expect(withAppName('ssm-shop').join('\n')).toMatch(
      /^environments\/defaults\.yaml: app\.name: "ssm-shop" makes the SSM parameter name "\/ssm-shop\/prod\/green\/release", which must not begin with "aws" or "ssm".*sysman-parameter-name-constraints/m,
    );
  });

  test('fails a tag key starting with aws: and a tag value with characters AWS refuses (tags)', () => {
    const dir = envDir({ 'prod.yaml': withValue('prod.yaml', ['tags'], { 'aws:owner': 'x', team: 'a;b' }) });
    expect(configProblems(dir, ['prod'])).toEqual([
      expect.stringMatching(
        /^environments\/prod\.yaml: tags\.aws:owner: refused: the tag key "aws:owner", which must not begin with "aws:" .*tagging\.html/,
      ),
      expect.stringMatching(
        /^environments\/prod\.yaml: tags\.team: refused: the tag value "a;b", which may contain only letters, digits, spaces and _\.:\/=\+-@/,
      ),
    ]);
  });

  test('fails two environments whose <app>-<env> prefixes are equal, at the later file, naming the other', () => {
    // staging renamed "qa-x" (app shop) and a copy named "x" with app.name "shop-qa": both make "shop-qa-x".
    const { parseDocument } = require('yaml') as typeof import('yaml');
    const x = parseDocument(withValue('staging.yaml', ['name'], 'x'));
    x.setIn(['app', 'name'], 'shop-qa');
    const dir = envDir({
      'staging.yaml': null,
      'qa-x.yaml': withValue('staging.yaml', ['name'], 'qa-x'),
      'x.yaml': x.toString(),
    });
    expect(configProblems(dir)).toContainEqual(
      expect.stringMatching(
        /^environments\/x\.yaml: name: with app\.name "shop-qa" makes the resource name prefix "shop-qa-x", which environment "qa-x" \(environments\/qa-x\.yaml, app\.name "shop"\) makes too/,
      ),
    );
  });

  test('passes the shipped names and leaves DigitalOcean environments to their own rules', () => {
    expect(direct('prod', 'shop', { owner: 'platform-team' })).toEqual([]);
    const result = z
      .any()
      .superRefine((_, ctx) => checkAwsNames('digitalocean', 'dev-', 'internal-x', {}, ctx))
      .safeParse(null);
    expect(result.success).toBe(true);
  });

  test("fails a combination too long for the library's longest suffixes at name, naming both keys (S3 bucket, IAM role)", () => {
    const problems = direct('e'.repeat(30), 'a'.repeat(30)).join('\n');
    expect(problems).toMatch(
      /^name: "e{30}" with app\.name "a{30}" makes the S3 bucket name "a{30}-e{30}-access-logs", which must be at most 63 characters \(has 73\)/m,
    );
    expect(problems).toMatch(
      /name: .* makes the IAM role name "a{30}-e{30}-green-instance", which must be at most 64 characters \(has 76\)/,
    );
    // Load balancer, target group and OpenSearch names are shortened with a hash instead (documented), so never too long.
    expect(problems).not.toMatch(/load balancer|target group|OpenSearch/);
  });

  test('fails an OpenSearch domain, KMS alias, log group and secret name that no app or environment slug can produce', () => {
    const problems = direct('Prod', 'Shop').join('\n');
    expect(problems).toMatch(/OpenSearch domain name "Shop-Prod-logs", which must begin with a lowercase letter/);
    expect(problems).toMatch(/S3 bucket name/);
    expect(direct('prod', 'shop:x').join('\n')).toMatch(
      /KMS alias name "alias\/shop:x-prod-log-store", which may contain only letters, digits and \/_-/,
    );
    expect(direct('prod', 'shop x').join('\n')).toMatch(
      /CloudWatch log group name "\/vpc\/shop x-prod\/flow-logs", which may contain only/,
    );
    expect(direct('prod', 'shop x').join('\n')).toMatch(
      /Secrets Manager secret name "shop x-prod\/log-store-admin", which may contain only/,
    );
  });
});
