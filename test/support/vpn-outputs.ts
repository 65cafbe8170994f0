import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { VPN_OUTPUTS } from '../../stacks/contract';
import { loadEnvironments } from '../../lib/config';
import { AwsSharedStack } from '../../stacks/aws/aws-shared-stack';
import { envDir } from './env-dir';
import { TfJson } from './synth';

/** Attribute values an apply would give the VPN connection (TEST-NET outside addresses, PSKs in AWS's alphabet). */
export const APPLIED_VPN: Readonly<Record<string, string>> = {
  tunnel1_address: '198.51.100.1',
  tunnel2_address: '198.51.100.2',
  tunnel1_preshared_key: 'Tunnel1.psk_4f9c2a7e1b',
  tunnel2_preshared_key: 'Tunnel2.psk_83d05c6a92',
  tunnel1_cgw_inside_address: '169.254.110.2',
  tunnel1_vgw_inside_address: '169.254.110.1',
  tunnel2_cgw_inside_address: '169.254.110.6',
  tunnel2_vgw_inside_address: '169.254.110.5',
};

/** Resolves `${aws_vpn_connection.<id>.<attr>}` references in a synthesized output value as an apply would. */
export function applyVpnReferences(value: unknown): unknown {
  const text = JSON.stringify(value).replace(/\$\{aws_vpn_connection\.[^.}]+\.([a-z0-9_]+)\}/g, (_, attr: string) => {
    if (!(attr in APPLIED_VPN)) throw new Error(`test fixture: no applied value for aws_vpn_connection ${attr}`);
    return APPLIED_VPN[attr];
  });
  if (text.includes('${')) throw new Error(`test fixture: unresolved reference left in ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/**
 * Synthesizes the shipped prod environment's shared stack and writes what `cdktf output prod-shared --outputs-file
 * --outputs-file-include-sensitive-outputs` would after an apply: `{ "prod-shared": { vpn_customer_config_input } }`.
 * Returns the file and the applied input.
 */
export function deployedProdVpnOutputs(): { file: string; input: Record<string, unknown> } {
  const [prod] = loadEnvironments({ dir: envDir(), only: ['prod'] });
  const shared = JSON.parse(Testing.synth(new AwsSharedStack(Testing.app(), { config: prod }))) as TfJson; // prod-shared alone
  const input = applyVpnReferences(shared.output![VPN_OUTPUTS.customerConfigInput].value) as Record<string, unknown>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpn-outputs-'));
  const file = path.join(dir, 'outputs.json');
  fs.writeFileSync(
    file,
    JSON.stringify({ 'prod-shared': { [VPN_OUTPUTS.customerConfigInput]: input, vpc_id: 'vpc-0123456789abcdef0' } }),
  );
  return { file, input };
}
