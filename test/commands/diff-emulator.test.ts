// The diff's predictions against a real `terraform plan` after a real apply: a small shared stack shaped like the
// one the library emits (VPC, subnets, the instances' security group, a color's target group created before it is
// destroyed and named with its port, an application load balancer, the published target group ARN) is applied to
// the moto emulator (test/support/aws-emulator.ts), then changed as the issue's cases change it (app port; VPC
// CIDR with its subnets). What the diff predicts to be replaced must be exactly what Terraform plans to replace,
// and what it predicts to be updated in place must be planned in place. Opt-in (see below): measured 4 min 49 s.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { diffSynth } from '../../lib/commands/diff';
import { StackJson } from '../../lib/commands/synth-output';
import {
  emulatorEnv,
  EMULATED_SERVICES,
  EMULATOR_CREDENTIALS,
  findMotoServer,
  startEmulator,
  Emulator,
} from '../support/aws-emulator';
import { findProviderMirror, terraform, writeCliConfig } from '../support/terraform';

const moto = findMotoServer();
const mirror = findProviderMirror();
const STACK = 'emu-shared';
const meta = (p: string) => ({ '//': { metadata: { path: `${STACK}/${p}` } } });

/** The stack's JSON for an app port and a VPC range (`10.<n>.0.0/16`). */
function stack(port: number, octet: number): StackJson {
  return {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: mirror!.version } } },
    resource: {
      aws_vpc: { vpc: { ...meta('network/vpc'), cidr_block: `10.${octet}.0.0/16`, enable_dns_hostnames: true } },
      aws_subnet: {
        public_a: {
          ...meta('network/public-a'),
          vpc_id: '${aws_vpc.vpc.id}',
          cidr_block: `10.${octet}.0.0/24`,
          availability_zone: 'eu-west-1a',
        },
        public_b: {
          ...meta('network/public-b'),
          vpc_id: '${aws_vpc.vpc.id}',
          cidr_block: `10.${octet}.1.0/24`,
          availability_zone: 'eu-west-1b',
        },
      },
      aws_security_group: {
        instances: {
          ...meta('alb/instance-sg'),
          name_prefix: 'emu-instances-',
          description: 'Instances',
          vpc_id: '${aws_vpc.vpc.id}',
          lifecycle: { create_before_destroy: true },
        },
      },
      aws_lb_target_group: {
        blue: {
          ...meta('alb/blue'),
          name: `emu-blue-${port}`,
          port,
          protocol: 'HTTP',
          target_type: 'instance',
          vpc_id: '${aws_vpc.vpc.id}',
          lifecycle: { create_before_destroy: true },
        },
      },
      aws_lb: {
        alb: {
          ...meta('alb/alb'),
          name: 'emu',
          load_balancer_type: 'application',
          internal: false,
          subnets: ['${aws_subnet.public_a.id}', '${aws_subnet.public_b.id}'],
          security_groups: ['${aws_security_group.instances.id}'],
        },
      },
      aws_ssm_parameter: {
        published_blue: {
          ...meta('published/blue-target-group-arn'),
          name: '/emu/emu/shared/blue-target-group-arn',
          type: 'String',
          insecure_value: '${aws_lb_target_group.blue.arn}',
        },
      },
    },
  };
}

const PROVIDER = {
  provider: {
    aws: [
      {
        region: 'eu-west-1',
        access_key: EMULATOR_CREDENTIALS.accessKeyId,
        secret_key: EMULATOR_CREDENTIALS.secretAccessKey,
        skip_credentials_validation: true,
        skip_metadata_api_check: true,
        skip_requesting_account_id: true,
      },
    ],
  },
};

/** Addresses the diff predicts replaced (root and consumers replaced with it) and updated in place. */
function predicted(before: StackJson, after: StackJson): { replaced: string[]; updated: string[] } {
  const report = diffSynth(new Map([[STACK, before]]), new Map([[STACK, after]]));
  const changes = report.stacks[0].resources;
  const replaced = new Set(changes.filter((c) => c.action === 'replace').map((c) => c.address));
  const updated = new Set(changes.filter((c) => c.action === 'update').map((c) => c.address));
  for (const c of changes) {
    for (const consumer of c.blastRadius?.consumers ?? [])
      (consumer.effect === 'replace' ? replaced : updated).add(consumer.address);
  }
  for (const r of replaced) updated.delete(r);
  return { replaced: [...replaced].sort(), updated: [...updated].sort() };
}

// About 5 minutes on 2 cores (moto answers each refresh slowly): opt-in like the emulator scenario, and said so.
const optIn = process.env.BLUEGREEN_EMULATOR_SCENARIO === '1';
const notRun = !moto
  ? 'no moto_server (set MOTO_SERVER or run bash .ci/run)'
  : 'opt-in: BLUEGREEN_EMULATOR_SCENARIO=1, about 5 minutes';
if (!(moto && optIn)) process.stderr.write(`test/commands/diff-emulator.test.ts: SKIPPED, ${notRun}\n`);
const scenario = moto && optIn ? describe : describe.skip;

scenario(
  `diff predictions against a real terraform plan of an emulated environment (moto)${moto && optIn ? '' : ` [SKIPPED: ${notRun}]`}`,
  () => {
    let emulator: Emulator;
    let dir: string;
    let env: NodeJS.ProcessEnv;
    const base = stack(8080, 40);

    /** Writes `json` with the emulator's endpoints and returns what terraform plans: replaced and updated addresses. */
    async function planned(json: StackJson): Promise<{ replaced: string[]; updated: string[] }> {
      fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(json, null, 2));
      const run = await terraform(['plan', '-input=false', '-no-color', '-out=diff.tfplan'], dir, env, 300_000);
      if (run.code !== 0) throw new Error(`terraform plan: ${run.stdout}${run.stderr}`);
      const show = await terraform(['show', '-json', 'diff.tfplan'], dir, env);
      const changes = (
        JSON.parse(show.stdout) as {
          resource_changes: Array<{ address: string; mode: string; change: { actions: string[] } }>;
        }
      ).resource_changes.filter((c) => c.mode === 'managed');
      return {
        replaced: changes
          .filter((c) => c.change.actions.includes('delete') && c.change.actions.includes('create'))
          .map((c) => c.address)
          .sort(),
        updated: changes
          .filter((c) => c.change.actions.length === 1 && c.change.actions[0] === 'update')
          .map((c) => c.address)
          .sort(),
      };
    }

    beforeAll(async () => {
      expect(moto).toBeDefined();
      expect(mirror).toBeDefined();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-diff-emu-'));
      emulator = await startEmulator(moto!, path.join(dir, 'moto.log'));
      env = emulatorEnv(writeCliConfig(dir, mirror!.path));
      const endpoints = Object.fromEntries(EMULATED_SERVICES.map((s) => [s, emulator.endpoint]));
      PROVIDER.provider.aws[0] = {
        ...PROVIDER.provider.aws[0],
        endpoints: [endpoints],
      } as (typeof PROVIDER.provider.aws)[0];
      fs.writeFileSync(path.join(dir, 'provider.tf.json'), JSON.stringify(PROVIDER, null, 2));
      fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(base, null, 2));
      const init = await terraform(['init', '-input=false', '-no-color'], dir, env, 180_000);
      if (init.code !== 0) throw new Error(`terraform init: ${init.stdout}${init.stderr}`);
      const apply = await terraform(['apply', '-auto-approve', '-input=false', '-no-color'], dir, env, 600_000);
      if (apply.code !== 0) throw new Error(`terraform apply: ${apply.stdout}${apply.stderr}`);
    }, 900_000);

    afterAll(async () => {
      await emulator?.stop();
    });

    test('app port 8080 → 9090: the target group is replaced, the published ARN updated; nothing else', async () => {
      const head = stack(9090, 40);
      const prediction = predicted(base, head);
      expect(prediction).toEqual({
        replaced: ['aws_lb_target_group.blue'],
        updated: ['aws_ssm_parameter.published_blue'],
      });
      expect(await planned(head)).toEqual(prediction);
    }, 300_000);

    test('VPC range 10.40 → 10.41 (with its subnets): VPC, subnets, security group and target group replaced; the load balancer and the published ARN updated in place', async () => {
      const head = stack(8080, 41);
      const prediction = predicted(base, head);
      expect(prediction.replaced).toEqual([
        'aws_lb_target_group.blue',
        'aws_security_group.instances',
        'aws_subnet.public_a',
        'aws_subnet.public_b',
        'aws_vpc.vpc',
      ]);
      expect(prediction.updated).toEqual(['aws_lb.alb', 'aws_ssm_parameter.published_blue']);
      expect(await planned(head)).toEqual(prediction);
    }, 300_000);
  },
);
