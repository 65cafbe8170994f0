import { defineRule, nonCompliant } from '../rule';
import { block, blocks, isTrue } from '../stack-view';

/**
 * Launch templates declare their EBS volumes encrypted. A template without block device mappings leaves
 * encryption to the image and the account default, so it is non-compliant too. No public scanner has this rule.
 */
export const launchTemplateEncryptedVolumes = defineRule({
  id: 'launch-template-encrypted-volumes',
  explanation: 'launch template does not declare every EBS volume encrypted',
  fix: 'add block_device_mappings for the root device (e.g. /dev/xvda) with ebs { encrypted = true, volume_type = "gp3" }, and encrypted = true on every other volume',
  resourceTypes: ['aws_launch_template'],
  evaluate(template) {
    const ebs = blocks(template.config.block_device_mappings)
      .filter((m) => m.ebs !== undefined)
      .map((m) => ({ device: String(m.device_name ?? '?'), encrypted: isTrue(block(m.ebs).encrypted) }));
    if (ebs.length === 0) return nonCompliant('no block_device_mappings with ebs');
    const plain = ebs.filter((v) => !v.encrypted).map((v) => v.device);
    return plain.length === 0 ? 'compliant' : nonCompliant(`unencrypted: ${plain.join(', ')}`);
  },
});
