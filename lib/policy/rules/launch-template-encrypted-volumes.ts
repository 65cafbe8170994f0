import { ROOT_DEVICE_NAMES } from '../../config/sections/fleet';
import { defineRule, nonCompliant } from '../rule';
import { block, blocks, isTrue } from '../stack-view';

/**
 * Launch templates declare their EBS volumes encrypted, the root volume included: exactly one mapping is on an AMI
 * root device name (`/dev/xvda` or `/dev/sda1`) and it is encrypted. A template without a root mapping leaves the
 * root's encryption to the image and the account default; one that maps both names gives every instance a blank
 * extra volume while the real root keeps the image's settings. Which of the two is the image's root is checked at
 * plan time (`ColorFleet` compares it with `data.aws_ami`). No public scanner has this rule.
 */
export const launchTemplateEncryptedVolumes = defineRule({
  id: 'launch-template-encrypted-volumes',
  explanation: 'launch template does not declare its root volume and every other EBS volume encrypted',
  fix: `add one block_device_mappings entry for the AMI's root device (${ROOT_DEVICE_NAMES.join(' or ')}: fleet.rootDeviceName) with ebs { encrypted = true, volume_type = "gp3" }, and encrypted = true on every other volume`,
  resourceTypes: ['aws_launch_template'],
  evaluate(template) {
    const ebs = blocks(template.config.block_device_mappings)
      .filter((m) => m.ebs !== undefined)
      .map((m) => ({ device: String(m.device_name ?? '?'), encrypted: isTrue(block(m.ebs).encrypted) }));
    const roots = ebs.filter((v) => (ROOT_DEVICE_NAMES as readonly string[]).includes(v.device));
    if (roots.length === 0)
      return nonCompliant(
        `no EBS mapping for the root device (${ROOT_DEVICE_NAMES.join(' or ')}): the root keeps the image's encryption`,
      );
    if (roots.length > 1)
      return nonCompliant(
        `${roots.map((r) => r.device).join(' and ')} both mapped: only one is the image's root, the other is a blank extra volume`,
      );
    const plain = ebs.filter((v) => !v.encrypted).map((v) => (v === roots[0] ? `${v.device} (root)` : v.device));
    return plain.length === 0 ? 'compliant' : nonCompliant(`unencrypted: ${plain.join(', ')}`);
  },
});
