import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Testing } from 'cdktf';
import { createHash } from 'crypto';
import { ColorFleet, ColorFleetProps, decodeUserData, encodeUserData } from '../../lib/aws/color-fleet';
import { ConstructPropsError } from '../../lib/construct-errors';
import { byId, colorFleetProps, lbFixture, LbFixture, synthJson } from '../support/aws-fixture';

/** 26000 bytes of hex that gzip cannot shrink below the limit (a hash chain: deterministic). */
const INCOMPRESSIBLE = Array.from({ length: 26000 / 64 + 1 }, (_, i) =>
  createHash('sha256').update(String(i)).digest('hex'),
)
  .join('')
  .slice(0, 26000);

const CLOUD_CONFIG = '#cloud-config\npackages: [rsyslog]\n';

function fleet(f: LbFixture, overrides: Partial<ColorFleetProps> = {}, id = 'fleet'): ColorFleet {
  return new ColorFleet(f.stack, id, { ...colorFleetProps(f), ...overrides });
}

describe('ColorFleet', () => {
  const f = lbFixture();
  const built = fleet(f, {
    userData: CLOUD_CONFIG,
    managedPolicies: { 'registry-pull': { arn: 'arn:aws:iam::111111111111:policy/shop-registry-pull' } },
  });
  const synth = Testing.synth(f.stack);
  const json = synthJson(f.stack);
  const lt = Object.values(byId(json, 'aws_launch_template'))[0];
  const asg = Object.values(byId(json, 'aws_autoscaling_group'))[0];

  test('launches the release AMI with the instance type', () => {
    expect(synth).toHaveResourceWithProperties(LaunchTemplate, {
      name: 'shop-test-green',
      image_id: 'ami-0f1e2d3c4b5a69788',
      instance_type: 't3.small',
      update_default_version: true,
    });
  });

  test('requires IMDSv2 with a hop limit of 1', () => {
    expect(lt.metadata_options).toEqual({
      http_endpoint: 'enabled',
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
      instance_metadata_tags: 'enabled',
    });
  });

  test('has an encrypted gp3 root volume', () => {
    expect(lt.block_device_mappings).toEqual([
      {
        device_name: '/dev/xvda',
        ebs: { volume_type: 'gp3', volume_size: 20, encrypted: 'true', delete_on_termination: 'true' },
      },
    ]);
  });

  test('gzips and base64-encodes plain user data at synth', () => {
    expect(decodeUserData(String(lt.user_data))).toBe(CLOUD_CONFIG);
  });

  test('tags instances and volumes with color and release', () => {
    const specs = lt.tag_specifications as Array<{ resource_type: string; tags: Record<string, string> }>;
    expect(specs.map((s) => s.resource_type)).toEqual(['instance', 'volume']);
    for (const s of specs) expect(s.tags).toEqual({ Name: 'shop-test-green', color: 'green', release: '1.5.0' });
  });

  test('the instance role can be assumed by EC2 only and carries the SSM agent policy (no parameter reads) plus the extra policies', () => {
    const role = Object.entries(byId(json, 'aws_iam_role')).find(([id]) => id.startsWith('fleet_role_'))![1];
    expect(JSON.parse(String(role.assume_role_policy)).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const attachments = Object.entries(byId(json, 'aws_iam_role_policy_attachment'));
    expect(attachments.map(([, a]) => a.policy_arn)).toEqual(['arn:aws:iam::111111111111:policy/shop-registry-pull']);
    // Keyed by what it grants; a moved block carries the attachment over from its numbered id of 0.1 (policy-1).
    expect(attachments[0][0]).toMatch(/^fleet_policy-registry-pull_/);
    expect(
      ((json as { moved?: Array<{ from: string }> }).moved ?? []).filter((m) =>
        m.from.startsWith('aws_iam_role_policy_attachment.'),
      ),
    ).toEqual([
      {
        from: expect.stringMatching(/^aws_iam_role_policy_attachment\.fleet_policy-1_[0-9A-F]{8}$/),
        to: `aws_iam_role_policy_attachment.${attachments[0][0]}`,
      },
    ]);
    const inline = Object.entries(byId(json, 'aws_iam_role_policy')).filter(([id]) => id.startsWith('fleet_'));
    expect(inline.map(([id]) => id)).toEqual([expect.stringMatching(/^fleet_ssm-agent_/)]);
    const actions = JSON.parse(String(inline[0][1].policy)).Statement.flatMap((st: { Action: string[] }) => st.Action);
    expect(actions).toContain('ssm:UpdateInstanceInformation');
    expect(actions).toContain('ssmmessages:OpenDataChannel');
    expect(actions.filter((a: string) => /^ssm:GetParameter/.test(a))).toEqual([]);
    expect(lt.iam_instance_profile).toEqual({
      arn: expect.stringMatching(/aws_iam_instance_profile\.fleet_profile_.*\.arn/),
    });
  });

  test('the Auto Scaling group spans the private subnets and joins the color target group', () => {
    expect(asg.vpc_zone_identifier).toEqual([
      expect.stringMatching(/network_private-eu-west-1a_/),
      expect.stringMatching(/network_private-eu-west-1b_/),
    ]);
    expect(asg.target_group_arns).toEqual([expect.stringMatching(/aws_lb_target_group\.alb_green_[0-9A-F]+\.arn/)]);
  });

  test('replaces instances on failed load balancer health checks after a grace period', () => {
    expect(synth).toHaveResourceWithProperties(AutoscalingGroup, {
      health_check_type: 'ELB',
      health_check_grace_period: 300,
    });
  });

  test('runs the capacity from the values and waits for it to be healthy', () => {
    expect(asg).toMatchObject({ min_size: 2, max_size: 6, desired_capacity: 3, wait_for_elb_capacity: 3 });
  });

  test('rolls new launch template versions with instance refresh', () => {
    expect(asg.launch_template).toEqual({
      id: expect.stringMatching(/aws_launch_template\.fleet_launch-template_.*\.id/),
      version: expect.stringMatching(/\.latest_version\}$/),
    });
    expect(asg.instance_refresh).toEqual({
      strategy: 'Rolling',
      preferences: { min_healthy_percentage: 90, auto_rollback: true },
    });
  });

  test('exposes role, launch template and Auto Scaling group', () => {
    expect(built.role.node.id).toBe('role');
    expect(built.launchTemplate.node.id).toBe('launch-template');
    expect(built.autoscalingGroup.node.id).toBe('asg');
  });
});

describe('ColorFleet options', () => {
  test('user data holding tokens is encoded by Terraform', () => {
    const f = lbFixture();
    fleet(f, { userData: `#cloud-config\nwrite_files: [{path: /etc/store, content: "${f.logs.bucket.bucket}"}]\n` });
    const lt = Object.values(byId(synthJson(f.stack), 'aws_launch_template'))[0];
    expect(lt.user_data).toMatch(
      /^\$\{base64gzip\(join\("", \[.*aws_s3_bucket\.logs_bucket_[0-9A-F]+\.bucket.*\]\)\)\}$/s,
    );
    expect(String(lt.user_data)).toContain('content: \\"'); // the quotes survive, escaped for Terraform
    expect(decodeUserData(encodeUserData('#cloud-config\nplain\n'))).toBe('#cloud-config\nplain\n');
    expect(Buffer.from(encodeUserData('plain'), 'base64').subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip: cloud-init unpacks it
  });

  test('without the image check: no data.aws_ami and no precondition', () => {
    const f = lbFixture();
    fleet(f, { verifyRootDeviceName: false });
    const json = synthJson(f.stack);
    expect((json.data as Record<string, unknown> | undefined)?.aws_ami).toBeUndefined();
    expect(Object.values(byId(json, 'aws_launch_template'))[0].lifecycle).toBeUndefined();
  });

  test('grace period, min healthy percentage, volume size and elb wait follow the props', () => {
    const f = lbFixture();
    fleet(f, {
      healthCheckGracePeriodSeconds: 120,
      minHealthyPercentage: 50,
      rootVolumeSizeGiB: 40,
      waitForElbCapacity: 2,
      rootDeviceName: '/dev/sda1',
    });
    const json = synthJson(f.stack);
    const asg = Object.values(byId(json, 'aws_autoscaling_group'))[0];
    const lt = Object.values(byId(json, 'aws_launch_template'))[0];
    expect(asg).toMatchObject({
      health_check_grace_period: 120,
      wait_for_elb_capacity: 2,
      instance_refresh: { preferences: { min_healthy_percentage: 50 } },
    });
    expect(lt.block_device_mappings).toEqual([
      expect.objectContaining({ device_name: '/dev/sda1', ebs: expect.objectContaining({ volume_size: 40 }) }),
    ]);
    expect(lt.user_data).toBeUndefined();
  });

  test.each([
    [
      'desired above max',
      { capacity: { min: 1, max: 2, desired: 3 } },
      /capacity\.desired \(3\) must lie between min \(1\) and max \(2\)/,
    ],
    [
      'min above max',
      { capacity: { min: 3, max: 2, desired: 2 } },
      /capacity\.min \(3\) must not exceed capacity\.max \(2\)/,
    ],
    [
      'a fractional capacity',
      { capacity: { min: 1, max: 2, desired: 1.5 } },
      /capacity\.desired must be a whole number/,
    ],
    ['an image that is not an AMI', { imageId: 'ubuntu-22.04' }, /imageId "ubuntu-22\.04" is not an AMI id/],
    ['no subnets', { subnets: [] }, /subnets is empty/],
    ['no security groups', { securityGroups: [] }, /securityGroups is empty/],
    [
      'a min healthy percentage above 100',
      { minHealthyPercentage: 120 },
      /minHealthyPercentage must be 0–100 \(got 120\)/,
    ],
    ['a tiny root volume', { rootVolumeSizeGiB: 4 }, /rootVolumeSizeGiB must be 8–16384 \(got 4\)/],
    [
      'waiting for more instances than max',
      { waitForElbCapacity: 9 },
      /waitForElbCapacity \(9\) exceeds capacity\.max \(6\)/,
    ],
    [
      'user data over 16 KiB gzipped and encoded',
      { userData: INCOMPRESSIBLE },
      /userData is \d+ bytes gzipped and base64-encoded \(26000 bytes of text\); EC2 accepts at most 16384\. Fix: /,
    ],
    [
      'a root device name that is no AMI root',
      { rootDeviceName: '/dev/xvdb' as never },
      /rootDeviceName "\/dev\/xvdb" is not an AMI root device name \(\/dev\/xvda or \/dev\/sda1\)\. Fix: set fleet\.rootDeviceName/,
    ],
  ] as Array<[string, Partial<ColorFleetProps>, RegExp]>)(
    'fails on %s, naming the construct path and the fix, without a stack frame',
    (_name, overrides, message) => {
      let thrown: unknown;
      try {
        fleet(lbFixture(), overrides);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ConstructPropsError);
      const error = thrown as ConstructPropsError;
      expect(error.message).toMatch(message);
      expect(error.constructPath).toMatch(/\/fleet$/);
      expect(error.message.startsWith(`${error.constructPath}: ColorFleet shop-test-green: `)).toBe(true);
      expect(error.message).toContain('Fix: ');
      expect(error.message).not.toMatch(/\n\s+at |\.ts:\d+/); // no stack frame in what the user reads
    },
  );
});
