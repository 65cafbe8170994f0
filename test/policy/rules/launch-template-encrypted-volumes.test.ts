import { launchTemplateEncryptedVolumes } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const lt = (mappings: object[]) => ({ type: 'aws_launch_template', name: 'lt', config: { block_device_mappings: mappings } });
const volume = (device: string, encrypted: boolean) => ({ device_name: device, ebs: { encrypted, volume_type: 'gp3' } });

describe('launch-template-encrypted-volumes', () => {
  test('passes when every EBS volume is encrypted', () => {
    expect(verdict(launchTemplateEncryptedVolumes, [lt([volume('/dev/xvda', true), volume('/dev/xvdb', true)])])).toBe('compliant');
  });
  test('fails an unencrypted data volume, naming the device', () => {
    expect(check(launchTemplateEncryptedVolumes, [lt([volume('/dev/xvda', true), volume('/dev/xvdb', false)])]).detail).toBe('unencrypted: /dev/xvdb');
  });
  test('fails a template that leaves volumes to the image', () => {
    expect(verdict(launchTemplateEncryptedVolumes, [{ type: 'aws_launch_template', name: 'lt', config: { image_id: 'ami-1' } }])).toBe('non-compliant');
  });
});
