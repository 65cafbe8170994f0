/**
 * The AMI's real root: an environment on an Ubuntu AMI (`fleet.rootDeviceName: /dev/sda1`) synthesizes exactly one
 * root mapping, on /dev/sda1, encrypted and of the configured size, with a plan-time check against the image.
 */
import { configProblems } from '../support/config-problems';
import { envDir, withValue } from '../support/env-dir';
import { resources, synthEnvironments } from '../support/synth';

describe('fleet.rootDeviceName: an Ubuntu AMI environment', () => {
  const dir = envDir({
    'staging.yaml': withValue('staging.yaml', ['fleet'], { rootDeviceName: '/dev/sda1', rootVolumeSizeGiB: 30 }),
  });
  const stacks = synthEnvironments(dir, ['staging']);

  test.each(['blue', 'green'])('staging-%s maps exactly one root volume, on /dev/sda1, encrypted, 30 GiB', (color) => {
    const [template] = resources(stacks.get(`staging-${color}`)!, 'aws_launch_template');
    expect(template.block_device_mappings).toEqual([
      {
        device_name: '/dev/sda1',
        ebs: expect.objectContaining({ encrypted: 'true', volume_size: 30, volume_type: 'gp3' }),
      },
    ]);
  });

  test('the plan stops when the image says otherwise: a precondition against data.aws_ami by image id', () => {
    const json = stacks.get('staging-blue')!;
    const [template] = resources(json, 'aws_launch_template');
    const [condition] = (template.lifecycle as { precondition: Array<{ condition: string; error_message: string }> })
      .precondition;
    expect(condition.condition).toMatch(/^\$\{\(?data\.aws_ami\.[\w-]+\.root_device_name == "\/dev\/sda1"\)?\}$/);
    expect(condition.error_message).toContain('Fix: set fleet.rootDeviceName');
    const amis = Object.values((json.data as Record<string, Record<string, { filter: unknown }>>).aws_ami);
    expect(amis).toEqual([
      expect.objectContaining({ filter: [{ name: 'image-id', values: [expect.stringMatching(/^ami-/)] }] }),
    ]);
  });

  test('fails a root device name that is no AMI root, with file and key', () => {
    const bad = envDir({ 'staging.yaml': withValue('staging.yaml', ['fleet'], { rootDeviceName: '/dev/xvdb' }) });
    expect(configProblems(bad)).toEqual([
      expect.stringMatching(
        /^environments\/staging\.yaml: fleet\.rootDeviceName: must be one of \/dev\/xvda, \/dev\/sda1 /,
      ),
    ]);
  });
});
