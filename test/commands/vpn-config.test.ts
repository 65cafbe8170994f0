import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderSwanctlConf } from '../../lib/agents/strongswan';
import { vpnConfigMain } from '../../lib/commands/vpn-config';
import { VPN_OUTPUTS } from '../../stacks/contract';
import { deployedProdVpnOutputs } from '../support/vpn-outputs';

/** Runs the CLI and collects its output. */
async function cli(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = os.tmpdir()) {
  let stdout = '';
  let stderr = '';
  const code = await vpnConfigMain(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
    env: { ...process.env, ...env },
  });
  return { code, stdout, stderr };
}

function tmpFile(name: string, content: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpn-config-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('vpn-config from the outputs prod-shared synthesizes', () => {
  const { file: outputsFile, input } = deployedProdVpnOutputs();

  test("renders the environment's configured (route-based) swanctl.conf from a cdktf outputs file", async () => {
    const r = await cli(['prod', '--outputs', outputsFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(input.mode).toBe('route-based');
    const { mode, ...config } = input;
    void mode;
    expect(r.stdout).toBe(renderSwanctlConf(config as never, { mode: 'route-based' }));
    expect(r.stdout).toContain('remote_addrs = 198.51.100.1\n');
    expect(r.stdout).toContain('secret = "Tunnel2.psk_83d05c6a92"');
    expect(r.stdout).toContain('ip route add 10.30.0.0/16 dev aws-tun1');
  });

  test('re-renders policy-based with --mode, and honours --interface-ids and --local-address', async () => {
    const policy = await cli(['prod', '--outputs-file', outputsFile, '--mode', 'policy-based']);
    expect(policy.code).toBe(0);
    expect(policy.stdout).toMatch(/local_ts = 192\.168\.0\.0\/16\n\s+remote_ts = 10\.30\.0\.0\/16\n/);
    const custom = await cli([
      'prod',
      '--outputs',
      outputsFile,
      '--interface-ids',
      '201,202',
      '--local-address',
      '192.0.2.7',
    ]);
    expect(custom.stdout).toContain('if_id_out = 202\n');
    expect(custom.stdout).toContain('local_addrs = 192.0.2.7\n');
  });

  test('reads terraform output -json files too', async () => {
    const file = tmpFile('tf.json', {
      [VPN_OUTPUTS.customerConfigInput]: { value: input, sensitive: true, type: 'object' },
    });
    const r = await cli(['prod', '--outputs', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('shop-prod-tunnel2 {');
  });

  test('writes the file with mode 0600 under --out', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vpn-out-')), 'swanctl.conf');
    const r = await cli(['prod', '--outputs', outputsFile, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`wrote ${out} (mode 0600`);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(out, 'utf8')).toContain('connections {');
  });

  test('runs cdktf output with sensitive values included when no file is given (a stand-in for the deployed state)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpn-cdktf-'));
    const bin = path.join(dir, 'cdktf');
    const saved = path.join(dir, 'args');
    fs.writeFileSync(
      bin,
      `#!/bin/sh\necho "$@" > ${saved}\nwhile [ $# -gt 0 ]; do if [ "$1" = --outputs-file ]; then cp ${outputsFile} "$2"; fi; shift; done\n`,
      { mode: 0o755 },
    );
    const r = await cli(['prod'], { CDKTF_BIN: bin });
    expect(r.code).toBe(0);
    expect(fs.readFileSync(saved, 'utf8')).toMatch(
      /^output prod-shared --outputs-file \S+ --outputs-file-include-sensitive-outputs/,
    );
    expect(r.stderr).toContain('reading the outputs of prod-shared');
    expect(r.stdout).toContain('secret = "Tunnel1.psk_4f9c2a7e1b"');
  });

  test('fails with exit 3 when the deployed outputs cannot be read', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpn-cdktf-'));
    const bin = path.join(dir, 'cdktf');
    fs.writeFileSync(bin, '#!/bin/sh\necho "Error: no state for prod-shared" >&2\nexit 1\n', { mode: 0o755 });
    const r = await cli(['prod'], { CDKTF_BIN: bin });
    expect(r.code).toBe(3);
    // An error cdktf printed that names no known cause: cdktf's line and the offline way, no guess at "deploy first".
    expect(r.stderr).toContain(
      'vpn-config: cannot read the outputs of prod-shared (Error: no state for prod-shared); render offline with --outputs <file.json>',
    );
  });

  test("fails when the tunnels' pre-shared keys were left out", async () => {
    const noPsk = JSON.parse(JSON.stringify(input)) as { tunnels: Array<{ presharedKey: string }> };
    noPsk.tunnels[0].presharedKey = '';
    const r = await cli([
      'prod',
      '--outputs',
      tmpFile('o.json', { 'prod-shared': { [VPN_OUTPUTS.customerConfigInput]: noPsk } }),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tunnel 1 has no pre-shared key; read the outputs with sensitive values included/);
  });
});

describe('vpn-config bad input', () => {
  test('--help prints the usage and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('npx cdktf-bluegreen vpn-config <env> [options]'); // cwd has no package.json with the script
    expect(r.stdout).toContain('--outputs <file>');
  });

  test('fails without an environment', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('vpn-config: name the environment, e.g. npm run vpn-config -- prod (see --help)\n');
  });

  test('fails on an unknown option and a bad mode', async () => {
    expect((await cli(['prod', '--verbose'])).stderr).toBe(
      'vpn-config: unknown option --verbose (see npx cdktf-bluegreen vpn-config --help)\n',
    );
    const r = await cli(['prod', '--mode', 'vti']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('vpn-config: --mode must be route-based or policy-based, got "vti"\n');
  });

  test('fails on a missing outputs file, naming it', async () => {
    const r = await cli(['prod', '--outputs', '/nonexistent/outputs.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vpn-config: \/nonexistent\/outputs\.json: cannot read the outputs file/);
  });

  test('fails on outputs of an environment without a VPN, saying how to get one', async () => {
    const file = tmpFile('o.json', { 'staging-shared': { vpc_id: 'vpc-1' } });
    const r = await cli(['staging', '--outputs', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file}: no output "vpn_customer_config_input" for staging-shared; the environment has no VPN (add a vpn section to environments/staging.yaml`,
    );
  });

  test('fails on malformed VPN outputs, naming the key', async () => {
    const file = tmpFile('o.json', { [VPN_OUTPUTS.customerConfigInput]: { name: 'x', tunnels: [] } });
    const r = await cli(['prod', '--outputs', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vpn_customer_config_input\.customerGatewayIp: Required/);
  });
});
