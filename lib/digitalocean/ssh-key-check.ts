import { DataDigitaloceanSshKeys } from '@cdktf/provider-digitalocean/lib/data-digitalocean-ssh-keys';
import { Fn, Op, TerraformSelf } from 'cdktf';
import { Construct } from 'constructs';
import { checkProp, refuseProps } from '../construct-errors';

/** MD5 fingerprint of an SSH public key, as DigitalOcean shows it. */
const FINGERPRINT = /^[0-9a-f]{2}(?::[0-9a-f]{2}){15}$/;

/** Props for {@link SshKeyCheck}. */
export interface SshKeyCheckProps {
  /** MD5 fingerprints of keys that must already exist in the account (at least one). */
  readonly fingerprints: readonly string[];
}

/**
 * Looks the droplets' SSH keys up by fingerprint at plan time and fails the plan, naming the missing
 * fingerprints, when any is not in the account: a droplet created with an unknown key would be unreachable.
 */
export class SshKeyCheck extends Construct {
  /** The lookup, filtered by fingerprint. */
  public readonly keys: DataDigitaloceanSshKeys;
  /** The fingerprints droplets pass as `ssh_keys`. */
  public readonly fingerprints: readonly string[];

  constructor(scope: Construct, id: string, props: SshKeyCheckProps) {
    super(scope, id);
    if (props.fingerprints.length === 0)
      refuseProps(this, 'fingerprints is empty, so DigitalOcean would mail a root password. Fix: give at least one');
    for (const fingerprint of props.fingerprints)
      checkProp(this, fingerprint, (f) =>
        FINGERPRINT.test(f)
          ? undefined
          : `${f} is not an MD5 fingerprint (16 lowercase hex pairs joined by ":"). Fix: copy the key's fingerprint from \`ssh-keygen -l -E md5 -f <key>.pub\` without "MD5:"`,
      );
    this.fingerprints = [...props.fingerprints];
    this.keys = new DataDigitaloceanSshKeys(this, 'keys', {
      filter: [{ key: 'fingerprint', values: [...this.fingerprints] }],
    });
    // Expressions as cdktf tokens, not hand-written `${...}`: literal text in the JSON is escaped (see
    // escape-template-literals.ts), tokens stay interpolations.
    const found = TerraformSelf.getAny('ssh_keys');
    const missing = Fn.join(', ', Fn.setsubtract([...this.fingerprints], Fn.lookupNested(found, ['*', 'fingerprint'])));
    this.keys.addOverride('lifecycle.postcondition', [
      {
        condition: Op.eq(Fn.lengthOf(found), this.fingerprints.length),
        error_message: `Not every SSH key fingerprint in digitalocean.sshKeyFingerprints is in the DigitalOcean account; missing: ${missing}`,
      },
    ]);
  }
}
