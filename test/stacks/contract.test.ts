// The stacks' contract (stacks/contract.ts) and the published channel between stacks: every shipped environment
// synthesizes to stacks that deploy one at a time, exactly as typed (`npx cdktf deploy prod-green`).
import * as fs from 'fs';
import * as path from 'path';
import { loadEnvironments } from '../../lib/config';
import {
  AWS_SHARED_READS,
  AWS_SHARED_VALUES,
  isStackName,
  parseStackName,
  sharedParameterPath,
  STACK_ROLES,
  StackNameError,
  stackName,
} from '../../stacks/contract';
import { envDir, REPO } from '../support/env-dir';
import { resources, synthApp, TfJson } from '../support/synth';

describe('stack names', () => {
  test('stackName and parseStackName are inverse for every role, also for environment names with dashes', () => {
    for (const env of ['prod', 'eu-prod', 'dev2']) {
      for (const role of STACK_ROLES) expect(parseStackName(stackName(env, role))).toEqual({ environment: env, role });
    }
  });

  test.each(['prod-purple', 'green', 'prod-', 'Prod-green', '-green', 'prod green'])(
    'fails on "%s" with the expected form',
    (name) => {
      expect(isStackName(name)).toBe(false);
      expect(() => parseStackName(name)).toThrow(StackNameError);
      expect(() => parseStackName(name)).toThrow(
        `"${name}" is not a stack name: expected <env>-<role> with role one of shared, blue, green, cutover (e.g. prod-green)`,
      );
    },
  );
});

describe('published values', () => {
  test('every value a stack reads is one the shared stack publishes, under /<app>/<env>/shared/', () => {
    for (const keys of Object.values(AWS_SHARED_READS))
      for (const key of keys) expect(AWS_SHARED_VALUES).toHaveProperty(key);
    expect(sharedParameterPath('shop', 'prod', 'loadBalancerArn')).toBe('/shop/prod/shared/load-balancer-arn');
    const names = Object.values(AWS_SHARED_VALUES).map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

/** Synthesizes every shipped environment like `cdktf synth` (once per jest run); returns the manifest and the stacks. */
function synthAll() {
  const { manifest, texts } = synthApp(loadEnvironments({ dir: envDir() }));
  return { manifest, texts, stacks: new Map([...texts].map(([k, v]) => [k, JSON.parse(v) as TfJson])) };
}

describe('the shipped environments: every stack deploys on its own', () => {
  const { manifest, stacks, texts } = synthAll();
  const environments = [...new Set([...stacks.keys()].map((name) => parseStackName(name).environment))].sort();
  const cloudOf = (env: string) => (stacks.get(stackName(env, 'shared'))!.provider?.aws ? 'aws' : 'digitalocean');

  test('all three shipped environments, on both clouds, are covered', () => {
    expect(environments).toEqual(['dev', 'prod', 'staging']);
    expect(environments.map(cloudOf)).toEqual(['digitalocean', 'aws', 'aws']);
  });

  test('the manifest lists no dependency between stacks (cdktf deploys each alone)', () => {
    expect(Object.keys(manifest.stacks)).toHaveLength(12);
    for (const [name, s] of Object.entries(manifest.stacks)) expect([name, s.dependencies]).toEqual([name, []]);
  });

  test('no stack reads remote state or refers to another stack', () => {
    for (const [name, text] of texts) {
      expect([name, text.includes('terraform_remote_state')]).toEqual([name, false]);
      expect([name, text.includes('cross-stack')]).toEqual([name, false]);
      const json = stacks.get(name)!;
      expect([name, Object.keys(json.data ?? {}).filter((t) => t.includes('remote_state'))]).toEqual([name, []]);
    }
  });

  describe.each(['prod', 'staging'])('%s (AWS)', (env) => {
    const shared = () => stacks.get(stackName(env, 'shared'))!;
    const published = () => resources(shared(), 'aws_ssm_parameter');

    test('the shared stack publishes every contract value as a described, tagged String parameter', () => {
      const byName = new Map(published().map((p) => [p.name as string, p]));
      for (const key of Object.keys(AWS_SHARED_VALUES) as Array<keyof typeof AWS_SHARED_VALUES>) {
        const p = byName.get(sharedParameterPath('shop', env, key));
        expect(p).toMatchObject({
          type: 'String',
          tier: 'Standard',
          tags: { 'shared-value': AWS_SHARED_VALUES[key].name },
        });
        expect(String(p!.description)).toContain(AWS_SHARED_VALUES[key].description);
        expect(p!.insecure_value).toEqual(expect.any(String));
        expect(p!.value).toBeUndefined(); // identifiers only: shown in plans, never a secret
      }
    });

    test.each(['blue', 'green', 'cutover'] as const)(
      '%s: every name it reads is published by the shared stack, and a missing one names the stack to deploy first',
      (role) => {
        const stack = stacks.get(stackName(env, role))!;
        const lookups = Object.values(stack.data?.aws_ssm_parameters_by_path ?? {});
        expect(lookups).toHaveLength(1);
        const [lookup] = lookups as Array<{
          path: string;
          recursive: boolean;
          lifecycle: { postcondition: Array<{ condition: string; error_message: string }> };
        }>;
        expect(lookup).toMatchObject({ path: `/shop/${env}/shared/`, recursive: true });
        // The names the postcondition requires, and the names the stack's expressions read.
        const required = [...lookup.lifecycle.postcondition[0].condition.matchAll(/"(\/shop\/[^"]+)"/g)].map(
          (m) => m[1],
        );
        const read = [...texts.get(stackName(env, role))!.matchAll(/\)\)\[\\"(\/shop\/[^\\]+)\\"\]/g)].map((m) => m[1]);
        expect(new Set(read).size).toBeGreaterThan(0);
        expect([...new Set(read)].sort()).toEqual([...new Set(required)].sort());
        expect(required.sort()).toEqual(
          AWS_SHARED_READS[role].map((key) => sharedParameterPath('shop', env, key)).sort(),
        );
        const publishedNames = published().map((p) => p.name);
        expect(required.filter((name) => !publishedNames.includes(name))).toEqual([]);
        expect(lookup.lifecycle.postcondition[0].error_message).toContain(
          `${env}-shared has not been deployed (or is older than this release): deploy it first with \`npx cdktf deploy ${env}-shared\``,
        );
      },
    );
  });

  describe('dev (DigitalOcean)', () => {
    const shared = () => stacks.get('dev-shared')!;

    test.each(['blue', 'green', 'cutover'] as const)(
      '%s looks up the VPC and project dev-shared creates, by name',
      (role) => {
        const stack = stacks.get(stackName('dev', role))!;
        const vpc = Object.values(stack.data?.digitalocean_vpc ?? {}) as Array<{ name: string }>;
        const projects = Object.values(stack.data?.digitalocean_projects ?? {}) as Array<{
          filter: Array<{ key: string; values: string[] }>;
          lifecycle: { postcondition: Array<{ error_message: string }> };
        }>;
        expect(vpc.map((v) => v.name)).toEqual(resources(shared(), 'digitalocean_vpc').map((v) => v.name));
        expect(projects.map((p) => p.filter)).toEqual(
          resources(shared(), 'digitalocean_project').map((p) => [{ key: 'name', values: [p.name] }]),
        );
        expect(projects[0].lifecycle.postcondition[0].error_message).toContain(
          'dev-shared has not been deployed (or is older than this release): deploy it first with `npx cdktf deploy dev-shared`',
        );
      },
    );
  });
});

describe('layers', () => {
  /** Every TypeScript file under a directory of the repository. */
  const sources = (dir: string): string[] =>
    fs
      .readdirSync(path.join(REPO, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(dir, f));

  test('nothing in stacks/ or the construct libraries imports the command back-ends', () => {
    const offenders = ['stacks', 'lib/aws', 'lib/digitalocean', 'lib/config', 'lib/agents', 'lib/policy']
      .flatMap(sources)
      .filter((file) => /from '[./]*(lib\/)?commands\//.test(fs.readFileSync(path.join(REPO, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  test('the contract is provider-free: it imports nothing', () => {
    expect(fs.readFileSync(path.join(REPO, 'stacks/contract.ts'), 'utf8')).not.toMatch(/^import /m);
  });
});
