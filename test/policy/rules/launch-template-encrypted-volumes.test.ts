import { launchTemplateEncryptedVolumes } from '../../../lib/policy';
import { check, verdict } from '../../support/policy';

const lt = (mappings: object[]) => ({
  type: 'aws_launch_template',
  name: 'lt',
  config: { block_device_mappings: mappings },
});
const volume = (device: string, encrypted: boolean) => ({
  device_name: device,
  ebs: { encrypted, volume_type: 'gp3' },
});

describe('launch-template-encrypted-volumes', () => {
  test('passes when the root and every other EBS volume are encrypted', () => {
    expect(verdict(launchTemplateEncryptedVolumes, [lt([volume('/dev/xvda', true), volume('/dev/xvdb', true)])])).toBe(
      'compliant',
    );
  });
  test('passes an Ubuntu root on /dev/sda1', () => {
    expect(verdict(launchTemplateEncryptedVolumes, [lt([volume('/dev/sda1', true)])])).toBe('compliant');
  });
  test('fails an unencrypted data volume, naming the device', () => {
    expect(
      check(launchTemplateEncryptedVolumes, [lt([volume('/dev/xvda', true), volume('/dev/xvdb', false)])]).detail,
    ).toBe('unencrypted: /dev/xvdb');
  });
  test('fails an unencrypted root, naming it the root', () => {
    expect(check(launchTemplateEncryptedVolumes, [lt([volume('/dev/sda1', false)])]).detail).toBe(
      'unencrypted: /dev/sda1 (root)',
    );
  });
  test('fails a template with only data volumes: the root keeps the image encryption', () => {
    expect(check(launchTemplateEncryptedVolumes, [lt([volume('/dev/xvdb', true)])]).detail).toMatch(
      /no EBS mapping for the root device/,
    );
  });
  test('fails a template that maps both root names (one is a blank extra volume)', () => {
    expect(
      check(launchTemplateEncryptedVolumes, [lt([volume('/dev/xvda', true), volume('/dev/sda1', true)])]).detail,
    ).toMatch(/\/dev\/xvda and \/dev\/sda1 both mapped/);
  });
  test('fails a template that leaves volumes to the image', () => {
    expect(
      verdict(launchTemplateEncryptedVolumes, [
        { type: 'aws_launch_template', name: 'lt', config: { image_id: 'ami-1' } },
      ]),
    ).toBe('non-compliant');
  });
});
