/**
 * `npm run vpn-config -- <env>`: prints the office's strongSwan `swanctl.conf` for an environment's
 * site-to-site VPN, rendered from the deployed `<env>-shared` outputs (`cdktf output`, sensitive outputs
 * included) or, offline, from a JSON file of outputs.
 */
import * as fs from 'fs';
import { z } from 'zod';
import { CustomerConfigInput, renderSwanctlConf } from '../agents/strongswan';
import { CUSTOMER_CONFIG_MODES, CustomerConfigMode, tunnelOptionsSchema } from '../config/sections/vpn';
import { VPN_OUTPUTS, stackName } from '../../stacks/contract';
import { stringFlag } from '../cli/args';
import { readDeployedOutputs, readOutputsFile } from '../cli/cdktf';
import { defineCommand } from '../cli/command';
import { UsageError } from '../cli/errors';
import { ExitCode } from '../cli/exit-codes';

const tunnelSchema = z.object({
  outsideAddress: z.string().min(1),
  presharedKey: z.string(),
  cgwInsideAddress: z.string().min(1),
  vgwInsideAddress: z.string().min(1),
});

/** Shape of the `vpn_customer_config_input` output: {@link CustomerConfigInput} plus the configured mode. */
const inputSchema = z.object({
  name: z.string().min(1),
  customerGatewayIp: z.string().min(1),
  onPremCidrs: z.array(z.string()).min(1),
  vpcCidrs: z.array(z.string()).min(1),
  tunnels: z.array(tunnelSchema).min(1).max(2),
  options: tunnelOptionsSchema,
  routing: z.enum(['static', 'bgp']),
  customerAsn: z.number().optional(),
  awsAsn: z.union([z.string(), z.number()]).optional(),
  mode: z.enum(CUSTOMER_CONFIG_MODES).optional(),
});

/** Options of {@link vpnConfig}. */
export interface VpnConfigOptions {
  /** The environment (its `<env>-shared` stack holds the VPN). */
  readonly environment: string;
  /** Project directory, where `cdktf output` runs. */
  readonly cwd: string;
  /**
   * A JSON file of outputs to read instead of running `cdktf output`: a cdktf outputs file
   * (`{ "<env>-shared": { ... } }`), the stack's outputs alone, or `terraform output -json`.
   * @default - runs `cdktf output <env>-shared` with sensitive outputs included
   */
  readonly outputsFile?: string;
  /**
   * Customer-side style.
   * @default - the environment's `vpn.customerConfig`
   */
  readonly mode?: CustomerConfigMode;
  /**
   * Local address IKE binds to.
   * @default - any
   */
  readonly localAddress?: string;
  /**
   * XFRM interface ids of tunnel 1 and 2 (route-based).
   * @default [101, 102]
   */
  readonly interfaceIds?: readonly [number, number];
  /**
   * Environment variables (for `CDKTF_BIN`).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Progress output.
   * @default - no progress output
   */
  readonly log?: (line: string) => void;
}

/** Renders the environment's customer-side `swanctl.conf` (it holds the PSKs). */
export async function vpnConfig(options: VpnConfigOptions): Promise<string> {
  const stack = stackName(options.environment, 'shared');
  const outputs = options.outputsFile
    ? readOutputsFile(options.outputsFile, stack)
    : await readDeployedOutputs(stack, {
        cwd: options.cwd,
        env: options.env,
        log: options.log,
        includeSensitive: true,
        offlineHint: 'render offline with --outputs <file.json>',
      });
  const source = options.outputsFile ?? `cdktf output ${stack}`;
  const raw = outputs[VPN_OUTPUTS.customerConfigInput];
  if (raw === undefined || raw === null) {
    throw new UsageError(
      `${source}: no output "${VPN_OUTPUTS.customerConfigInput}" for ${stack}; the environment has no VPN ` +
        `(add a vpn section to environments/${options.environment}.yaml and deploy ${stack}), or the file was written without sensitive outputs ` +
        '(cdktf output --outputs-file-include-sensitive-outputs)',
    );
  }
  const parsed = inputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${source}: ${VPN_OUTPUTS.customerConfigInput}.${issue.path.join('.')}: ${issue.message}`);
  }
  const input = parsed.data;
  input.tunnels.forEach((t, i) => {
    if (!t.presharedKey) {
      throw new UsageError(
        `${source}: tunnel ${i + 1} has no pre-shared key; read the outputs with sensitive values included (cdktf output --outputs-file-include-sensitive-outputs)`,
      );
    }
  });
  const { mode, ...config } = input;
  try {
    return renderSwanctlConf(config as CustomerConfigInput, {
      mode: options.mode ?? mode ?? 'route-based',
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      ...(options.interfaceIds ? { interfaceIds: options.interfaceIds } : {}),
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** `npm run vpn-config -- --help`. */
export const VPN_CONFIG_HELP = `Usage:
  npm run vpn-config -- <env> [options]

Prints the office's strongSwan swanctl.conf for <env>'s site-to-site VPN (both tunnels, proposals exactly as
the tunnel options allow, pre-shared keys included), from the deployed <env>-shared outputs
(cdktf output, sensitive outputs included) or from a JSON file of outputs.

Options:
  --outputs <file>          render offline from this outputs JSON (cdktf --outputs-file, or terraform output -json)
  --mode <mode>             route-based (XFRM interfaces, 0.0.0.0/0 selectors) or policy-based
                            (default: the environment's vpn.customerConfig)
  --local-address <ip>      address IKE binds to on the office device (default: any)
  --interface-ids <a,b>     XFRM interface ids of tunnel 1 and 2 (route-based; default 101,102)
  --out <file>              write the file (mode 0600) instead of printing it
  -h, --help                this text

The output holds the pre-shared keys: keep it out of tickets, chat and shell history.
Exit: 0 ok; 2 bad input (unknown environment, outputs without a VPN, bad flags); 3 the deployed outputs could not be
read (no credentials, provider not installable, stack not deployed: the message says which).
`;

/** The CLI: parses `argv` (after `npm run vpn-config --`), prints or writes the config, returns the exit code. */
export const vpnConfigMain = defineCommand({
  command: 'vpn-config',
  help: VPN_CONFIG_HELP,
  flags: {
    outputs: { type: 'string' },
    mode: { type: 'string' },
    'local-address': { type: 'string' },
    'interface-ids': { type: 'string' },
    out: { type: 'string' },
  },
  deprecated: { 'outputs-file': 'outputs' },
  run: async (args, io): Promise<number> => {
    const rest = args.positionals;
    if (rest.length !== 1)
      throw new UsageError(
        rest.length === 0
          ? 'name the environment, e.g. npm run vpn-config -- prod (see --help)'
          : `expected one environment, got ${rest.join(' ')}`,
      );
    const environment = rest[0];
    if (!/^[a-z][a-z0-9-]*$/.test(environment)) throw new UsageError(`"${environment}" is not an environment name`);
    const mode = stringFlag(args, 'mode');
    if (mode !== undefined && !(CUSTOMER_CONFIG_MODES as readonly string[]).includes(mode)) {
      throw new UsageError(`--mode must be ${CUSTOMER_CONFIG_MODES.join(' or ')}, got "${mode}"`);
    }
    const ids = stringFlag(args, 'interface-ids');
    let interfaceIds: [number, number] | undefined;
    if (ids !== undefined) {
      const m = /^(\d+),(\d+)$/.exec(ids);
      if (!m) throw new UsageError(`--interface-ids must be two numbers such as 101,102, got "${ids}"`);
      interfaceIds = [Number(m[1]), Number(m[2])];
    }
    const text = await vpnConfig({
      environment,
      cwd: io.cwd,
      env: io.env,
      outputsFile: stringFlag(args, 'outputs'),
      mode: mode as CustomerConfigMode | undefined,
      localAddress: stringFlag(args, 'local-address'),
      interfaceIds,
      log: (line) => io.stderr(`${line}\n`),
    });
    const out = stringFlag(args, 'out');
    if (out) {
      const tmp = `${out}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, text, { mode: 0o600 });
      fs.renameSync(tmp, out);
      io.stderr(`wrote ${out} (mode 0600; it holds the pre-shared keys)\n`);
    } else {
      io.stdout(text);
    }
    return ExitCode.OK;
  },
});
