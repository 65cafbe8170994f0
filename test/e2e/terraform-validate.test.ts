// The real terraform (1.11) with the real AWS provider from a filesystem mirror, offline: `terraform init` +
// `terraform validate` on every synthesized AWS stack, of the shipped environments and of values that carry
// template text (`${...}`, `%{...}`) in every field the schema lets a user write freely; the same for the output of
// every renderer. DigitalOcean has no provider binary here: test/digitalocean/bindings.test.ts checks its stacks'
// block attribute names against the prebuilt bindings instead.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, TerraformOutput } from 'cdktf';
import { stringify } from 'yaml';
import { forwarderConfigFromValues, renderRsyslogConfig } from '../../lib/agents/log-forwarder';
import { renderLogStoreBootstrap } from '../../lib/agents/log-store-bootstrap';
import { renderSwanctlConf } from '../../lib/agents/strongswan';
import { renderUserData } from '../../lib/agents/user-data';
import { EnvironmentConfig, loadEnvironments, overlay, validateEnvironment } from '../../lib/config';
import { readValuesFile } from '../../lib/config/loader';
import { DEFAULT_TUNNEL_OPTIONS } from '../../lib/config/sections/vpn';
import { enforceGuardrails } from '../../lib/policy/enforce';
// From the root index: where the stack names are defined moves (the contract module), the public API stays.
import { createEnvironmentStacks, EnvironmentStack, STACK_ROLES, stackName } from '../../lib';
import { envDir } from '../support/env-dir';
import { synthConfigs } from '../support/synth';
import {
  AWS_PROVIDER,
  findProviderMirror,
  formatValidation,
  mirrorVersions,
  offlineTerraformEnv,
  StackValidation,
  validateStacks,
  writeCliConfig,
} from '../support/terraform';

const mirror = findProviderMirror();
const MISSING_MIRROR =
  `no Terraform filesystem mirror with ${AWS_PROVIDER} was found (looked in TF_PLUGIN_MIRROR, /opt/tf-plugins, ~/.terraform.d/plugins, ` +
  '$XDG_DATA_HOME/terraform/plugins, $XDG_DATA_DIRS/terraform/plugins)';
if (!mirror && !process.env.CI) {
  // A developer machine without the mirror: say so where the run is read, rather than pass quietly.
  console.warn(
    `SKIPPED test/e2e/terraform-validate.test.ts: ${MISSING_MIRROR}. Install the provider there or set TF_PLUGIN_MIRROR.`,
  );
}
/** Skipped only off CI; in CI a missing mirror fails every test with MISSING_MIRROR. */
const withTerraform = mirror || process.env.CI ? describe : describe.skip;

/** The template text fed through the values and the renderers; `bgInject` is no Terraform name, so it cannot pass by accident. */
const VARIANTS = [' ${bgInject} %{ if bgInject }', '${bgInject}%{if bgInject}', '${bgInject}', '%{if bgInject}'];

/** Occurrences of the injected sequences that Terraform would read as a template (not escaped exactly once). */
function unescaped(text: string): string[] {
  return [...text.matchAll(/.{0,40}(?:(?<![$])\$\{|\$\$\$\{|(?<![%])%\{ ?|%%%\{ ?)(?:if )?bgInject.{0,20}/g)].map(
    (m) => m[0],
  );
}
const ESCAPED = /\$\$\{bgInject\}|%%\{ ?if bgInject/;

type KeyPath = Array<string | number>;

function stringLeaves(value: unknown, at: KeyPath = [], out: KeyPath[] = []): KeyPath[] {
  if (typeof value === 'string') out.push(at);
  else if (Array.isArray(value)) value.forEach((v, i) => stringLeaves(v, [...at, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) stringLeaves(v, [...at, k], out);
  return out;
}

function withLeaf(values: unknown, at: KeyPath, leaf: unknown): unknown {
  const copy = structuredClone(values) as Record<string | number, unknown>;
  const parent = at
    .slice(0, -1)
    .reduce<Record<string | number, unknown>>((n, k) => n[k] as Record<string | number, unknown>, copy);
  parent[at[at.length - 1]] = leaf;
  return copy;
}

/**
 * A values directory copied from the shipped one where every string field the schema accepts template text in
 * (found by trying each string of each environment's merged values, plus a new tag) carries it. Each environment
 * file holds its merged values; defaults.yaml is empty. Returns the directory and the fields that took the text.
 */
function valuesWithTemplateText(): { dir: string; fields: string[]; refused: string[] } {
  const shipped = envDir();
  const defaults = readValuesFile(path.join(shipped, 'defaults.yaml')).values;
  const edits: Record<string, string> = { 'defaults.yaml': '{}\n' };
  const fields: string[] = [];
  const refused: string[] = [];
  for (const file of fs.readdirSync(shipped).filter((f) => f.endsWith('.yaml') && f !== 'defaults.yaml')) {
    let values = overlay(defaults, readValuesFile(path.join(shipped, file)).values) as Record<string, unknown>;
    values = { ...values, tags: { ...(values.tags as object), note: 'free text' } };
    for (const at of stringLeaves(values)) {
      const original = at.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], values) as string;
      const accepted = VARIANTS.map((v) => withLeaf(values, at, original + v)).find(
        (candidate) => validateEnvironment(candidate, file).config,
      );
      if (accepted) {
        values = accepted as Record<string, unknown>;
        fields.push(`${file}: ${at.join('.')}`);
      } else refused.push(`${file}: ${at.join('.')}`);
    }
    edits[file] = stringify(values);
  }
  return { dir: envDir(edits), fields, refused };
}

/** Synthesizes a values directory the way main.ts does (guardrails render once, then app.synth()); stack → JSON text. */
function synthLikeMain(dir: string): Map<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-validate-synth-'));
  const app = new App({ outdir, stackTraces: false });
  for (const config of loadEnvironments({ dir })) createEnvironmentStacks(app, config);
  if (!enforceGuardrails(app, { write: () => undefined }))
    throw new Error('guardrails failed on the shipped environments');
  app.synth();
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const out = new Map(
    Object.entries(manifest.stacks).map(([name, s]) => [
      name,
      fs.readFileSync(path.join(outdir, s.synthesizedStackPath), 'utf8'),
    ]),
  );
  fs.rmSync(outdir, { recursive: true, force: true });
  return out;
}

/** The stacks of a cloud, by name, computed from the values alone (so the tests can be listed before any synth). */
function stackNames(configs: readonly EnvironmentConfig[], cloud: 'aws' | 'digitalocean'): string[] {
  return configs.filter((c) => c.cloud === cloud).flatMap((c) => STACK_ROLES.map((role) => stackName(c.name, role)));
}

const SHIPPED = loadEnvironments({ dir: envDir() });
const AWS_STACKS = stackNames(SHIPPED, 'aws');

/** A provider-free environment stack whose outputs are the renderers' output for inputs carrying template text where accepted. */
function rendererStack(outdir: string): { json: string; rendered: Record<string, string> } {
  const prod = SHIPPED.find((c) => c.cloud === 'aws')!;
  const forwarder = forwarderConfigFromValues(prod, 'blue');
  const tagged = {
    ...forwarder,
    appLogs: [
      ...forwarder.appLogs,
      { path: '/var/log/shop/extra.log', format: 'text' as const, tag: 'extra${bgInject}%{if bgInject}' },
    ],
  };
  const rendered: Record<string, string> = {
    rsyslog_conf: renderRsyslogConfig(tagged),
    user_data: renderUserData({
      forwarder: tagged,
      credentials: { type: 'env-file' },
      extraCommands: [['echo', '${bgInject} %{ if bgInject }']],
    }),
    user_data_aws: renderUserData({
      forwarder,
      credentials: { type: 'aws-secrets-manager', secretId: 'shop-prod-log-forwarder', region: 'eu-west-1' },
    }),
    log_store_bootstrap: JSON.stringify(
      renderLogStoreBootstrap({ indexPrefix: 'logs-shop', retentionDays: 14, dashboardsIndexPattern: true }),
    ),
    swanctl_conf: renderSwanctlConf({
      name: 'shop-prod',
      customerGatewayIp: '203.0.113.10',
      onPremCidrs: ['192.168.0.0/16'],
      vpcCidrs: ['10.30.0.0/16'],
      tunnels: [
        {
          outsideAddress: '198.51.100.1',
          presharedKey: 'psk_one.12345678',
          cgwInsideAddress: '169.254.110.2',
          vgwInsideAddress: '169.254.110.1',
        },
      ],
      options: DEFAULT_TUNNEL_OPTIONS,
      routing: 'static',
    }),
  };
  // An EnvironmentStack like the library's own, so the escaping is the one every stack of the library gets.
  class RenderersStack extends EnvironmentStack {
    constructor(app: App) {
      super(app, 'shared', { config: prod });
    }
  }
  const app = new App({ outdir, stackTraces: false });
  const stack = new RenderersStack(app);
  for (const [name, value] of Object.entries(rendered)) new TerraformOutput(stack, name, { value });
  app.synth();
  return { json: fs.readFileSync(path.join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'), rendered };
}

withTerraform('terraform validate with the real AWS provider (from the filesystem mirror, offline)', () => {
  const results = new Map<string, StackValidation>();
  let shipped: Map<string, string>;
  let injected: { dir: string; fields: string[]; refused: string[] };
  let injectedStacks: Map<string, string>;
  let renderers: { json: string; rendered: Record<string, string> };
  let wallSeconds = 0;

  beforeAll(async () => {
    if (!mirror)
      throw new Error(
        `CI is set and ${MISSING_MIRROR}; the validate tests must not be skipped in CI. Install the provider mirror (see README "Checked with real Terraform").`,
      );
    const started = Date.now();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-validate-'));
    const env = offlineTerraformEnv(writeCliConfig(work, mirror.path));
    shipped = synthLikeMain(envDir());
    injected = valuesWithTemplateText();
    injectedStacks = synthConfigs(loadEnvironments({ dir: injected.dir }));
    renderers = rendererStack(path.join(work, 'renderers-out'));
    const sets = {
      shipped: new Map(AWS_STACKS.map((s) => [s, shipped.get(s)!])),
      'template-text': new Map(AWS_STACKS.map((s) => [s, injectedStacks.get(s)!])),
      renderers: new Map([['renderers', renderers.json]]),
    };
    for (const [key, v] of await validateStacks(work, sets, { aws: mirror.version }, env)) results.set(key, v);
    wallSeconds = (Date.now() - started) / 1000;
    fs.rmSync(work, { recursive: true, force: true });
  }, 300_000);

  const expectValid = (key: string) => {
    const v = results.get(key);
    expect(v).toBeDefined();
    if (v!.errorCount > 0 || v!.initFailure) throw new Error(formatValidation(v!));
    expect(v!.errorCount).toBe(0);
  };

  test.each(AWS_STACKS)('shipped %s is valid', (stack) => expectValid(`shipped/${stack}`));

  test.each(AWS_STACKS)('%s with template text in every free-text value is valid', (stack) =>
    expectValid(`template-text/${stack}`),
  );

  test('every string field of the values either refuses template text or carries it into the JSON escaped', () => {
    // Which fields take free text is the schema's business; what matters is that none of them reaches Terraform raw.
    expect(injected.fields.length + injected.refused.length).toBeGreaterThan(50);
    for (const [stack, text] of injectedStacks) {
      expect({ stack, unescaped: unescaped(text) }).toEqual({ stack, unescaped: [] });
      // On AWS the provider's default tags carry every tag value into every stack (DigitalOcean tags are names).
      const env = SHIPPED.find((c) => stack.startsWith(`${c.name}-`))!.name;
      if (AWS_STACKS.includes(stack) && injected.fields.some((f) => f.startsWith(`${env}.yaml: tags.`))) {
        expect({ stack, escaped: ESCAPED.test(text) }).toEqual({ stack, escaped: true });
      }
    }
  });

  test("the renderers' output is valid Terraform and carries template text escaped", () => {
    expectValid('renderers/renderers');
    const outputs = JSON.parse(renderers.json).output as Record<string, { value: string }>;
    for (const [name, text] of Object.entries(renderers.rendered)) {
      expect({ name, unescaped: unescaped(outputs[name].value) }).toEqual({ name, unescaped: [] });
      // Terraform turns the escaped text back into exactly what was rendered: $${ -> ${, %%{ -> %{.
      expect(outputs[name].value.replace(/([$%])\1\{/g, '$1{')).toBe(text);
    }
    expect(outputs.rsyslog_conf.value).toMatch(ESCAPED);
    expect(outputs.user_data.value).toMatch(ESCAPED);
    expect(outputs.log_store_bootstrap.value).toContain('$${LOG_STORE_PASSWORD}');
  });

  afterAll(() => {
    // A figure for the README and the bench notes, not an assertion: wall time depends on what else the machine runs.
    if (wallSeconds > 0)
      console.info(
        `terraform-validate: synth + init + validate of ${AWS_STACKS.length * 2 + 1} stacks took ${wallSeconds.toFixed(1)} s`,
      );
  });
});

describe('provider mirror discovery and the offline CLI config', () => {
  const platform = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
  const fake = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-mirror-'));
  const dir = path.join(fake, AWS_PROVIDER);
  fs.mkdirSync(path.join(dir, '5.99.1', platform), { recursive: true });
  fs.mkdirSync(path.join(dir, '5.100.0', platform), { recursive: true });
  fs.mkdirSync(path.join(dir, '6.0.0', 'other_arch'), { recursive: true });
  fs.writeFileSync(path.join(dir, `terraform-provider-aws_5.9.0_${platform}.zip`), '');

  test('lists unpacked and packed versions for this platform, newest first', () => {
    expect(mirrorVersions(fake)).toEqual(['5.100.0', '5.99.1', '5.9.0']);
  });

  test('TF_PLUGIN_MIRROR is the only place looked at when set', () => {
    expect(findProviderMirror({ TF_PLUGIN_MIRROR: fake })).toEqual({ path: fake, version: '5.100.0' });
    expect(findProviderMirror({ TF_PLUGIN_MIRROR: path.join(fake, 'empty'), HOME: fake })).toBeUndefined();
  });

  test('the CLI config installs the provider from the mirror only and refuses the registry', () => {
    const text = fs.readFileSync(writeCliConfig(fake, '/opt/mirror'), 'utf8');
    expect(text).toMatch(
      /filesystem_mirror \{\s+path\s+= "\/opt\/mirror"\s+include = \["registry.terraform.io\/hashicorp\/aws"\]/,
    );
    expect(text).toMatch(/direct \{\s+exclude = \["registry.terraform.io\/\*\/\*"\]/);
    expect(text).toContain(`plugin_cache_dir = ${JSON.stringify(path.join(fake, 'plugin-cache'))}`);
  });

  test('the terraform environment has no proxies, no version check and no metadata-service credentials', () => {
    const env = offlineTerraformEnv('/x.tfrc', {
      PATH: '/bin',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: '*',
      TF_VAR_x: '1',
    });
    expect(env).toEqual({
      PATH: '/bin',
      TF_CLI_CONFIG_FILE: '/x.tfrc',
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });
});
