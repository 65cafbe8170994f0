import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { AWS_NAME_RULES, validateAwsName } from './aws-names';
import { Color } from '../config/sections/release';
import { templateLiteralArgument } from '../escape-template-literals';

/** How many instances a fleet runs. */
export interface FleetCapacity {
  /** Fewest instances. */
  readonly min: number;
  /** Most instances. */
  readonly max: number;
  /** Instances to run now. */
  readonly desired: number;
}

/** Props for {@link ColorFleet}. */
export interface ColorFleetProps {
  /** Name prefix, e.g. `shop-prod`; the fleet's resources are named `<name>-<color>`. */
  readonly name: string;
  /** Which color this fleet is. */
  readonly color: Color;
  /** AMI the release was baked into (`colors.<color>.release.image`). */
  readonly imageId: string;
  /** Release version, recorded as the `release` tag on instances and volumes. */
  readonly releaseVersion: string;
  /** EC2 instance type, e.g. `t3.small`. */
  readonly instanceType: string;
  /** Private subnets to spread instances across (one per AZ): `Subnet`s, or `{ id }` from published IDs. */
  readonly subnets: readonly { readonly id: string }[];
  /** Security groups of the instances (the load balancer's `instanceSecurityGroup`, or `{ id }`). */
  readonly securityGroups: readonly { readonly id: string }[];
  /** The color's target group (an `LbTargetGroup`, or `{ arn }`); the ASG registers its instances there. */
  readonly targetGroup: { readonly arn: string };
  /** Instance counts (`colors.<color>.capacity`). */
  readonly capacity: FleetCapacity;
  /**
   * User data as plain text (usually `#cloud-config`); encoded to base64 here.
   * @default - no user data
   */
  readonly userData?: string;
  /**
   * Extra managed policies attached to the instance role (e.g. read access to a registry or a log store).
   * @default [] - only AmazonSSMManagedInstanceCore
   */
  readonly managedPolicyArns?: readonly string[];
  /**
   * Seconds after launch before failed load balancer health checks replace an instance.
   * @default 300
   */
  readonly healthCheckGracePeriodSeconds?: number;
  /**
   * Share of the fleet that stays in service while an instance refresh replaces instances (rolling releases).
   * @default 90
   */
  readonly minHealthyPercentage?: number;
  /**
   * Size of the encrypted gp3 root volume in GiB.
   * @default 20
   */
  readonly rootVolumeSizeGiB?: number;
  /**
   * Device name of the AMI's root volume (`/dev/xvda` for Amazon Linux and Debian, `/dev/sda1` for Ubuntu).
   * @default '/dev/xvda'
   */
  readonly rootDeviceName?: string;
  /**
   * KMS key for the root volume.
   * @default - the account's default EBS key (aws/ebs)
   */
  readonly rootVolumeKmsKeyArn?: string;
  /**
   * Make `terraform apply` wait until this many instances are healthy in the target group.
   * @default - the desired capacity, so a deploy returns only when the new fleet serves
   */
  readonly waitForElbCapacity?: number;
}

/**
 * One color's fleet: a launch template (the release's AMI, IMDSv2 required with hop limit 1, encrypted gp3
 * root volume, an instance profile that can only use SSM) and an Auto Scaling group across the private
 * subnets, registered in the color's target group, replaced on failed ELB health checks, and rolled by
 * instance refresh whenever the launch template changes.
 */
export class ColorFleet extends Construct {
  /** The instances' IAM role (attach more policies with `IamRolePolicyAttachment`). */
  public readonly role: IamRole;
  /** The instance profile wrapping {@link role}. */
  public readonly instanceProfile: IamInstanceProfile;
  /** The launch template; every release is a new version. */
  public readonly launchTemplate: LaunchTemplate;
  /** The Auto Scaling group. */
  public readonly autoscalingGroup: AutoscalingGroup;
  /** Name of the fleet, `<name>-<color>`. */
  public readonly fleetName: string;

  constructor(scope: Construct, id: string, props: ColorFleetProps) {
    super(scope, id);
    validate(props);
    const name = `${props.name}-${props.color}`;
    validateAwsName(this, 'name', props.name, AWS_NAME_RULES.iamRole, `${name}-instance`);
    this.fleetName = name;
    const partition = new DataAwsPartition(this, 'partition');

    this.role = new IamRole(this, 'role', {
      name: `${name}-instance`,
      description: `Instances of the ${props.color} fleet of ${props.name}`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    const policies = [`arn:${partition.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`, ...(props.managedPolicyArns ?? [])];
    policies.forEach((arn, i) => new IamRolePolicyAttachment(this, i === 0 ? 'ssm-core' : `policy-${i}`, { role: this.role.name, policyArn: arn }));
    this.instanceProfile = new IamInstanceProfile(this, 'profile', { name: `${name}-instance`, role: this.role.name });

    const instanceTags = { Name: name, color: props.color, release: props.releaseVersion };
    this.launchTemplate = new LaunchTemplate(this, 'launch-template', {
      name,
      description: `${name} running release ${props.releaseVersion}`,
      imageId: props.imageId,
      instanceType: props.instanceType,
      updateDefaultVersion: true,
      vpcSecurityGroupIds: props.securityGroups.map((sg) => sg.id),
      iamInstanceProfile: { arn: this.instanceProfile.arn },
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'enabled' },
      blockDeviceMappings: [
        {
          deviceName: props.rootDeviceName ?? '/dev/xvda',
          ebs: {
            volumeType: 'gp3',
            volumeSize: props.rootVolumeSizeGiB ?? 20,
            encrypted: 'true',
            kmsKeyId: props.rootVolumeKmsKeyArn,
            deleteOnTermination: 'true',
          },
        },
      ],
      userData: props.userData === undefined ? undefined : encodeUserData(props.userData),
      tagSpecifications: [
        { resourceType: 'instance', tags: instanceTags },
        { resourceType: 'volume', tags: instanceTags },
      ],
      tags: { Name: name },
    });

    this.autoscalingGroup = new AutoscalingGroup(this, 'asg', {
      name,
      minSize: props.capacity.min,
      maxSize: props.capacity.max,
      desiredCapacity: props.capacity.desired,
      vpcZoneIdentifier: props.subnets.map((s) => s.id),
      targetGroupArns: [props.targetGroup.arn],
      healthCheckType: 'ELB',
      healthCheckGracePeriod: props.healthCheckGracePeriodSeconds ?? 300,
      waitForElbCapacity: props.waitForElbCapacity ?? props.capacity.desired,
      launchTemplate: { id: this.launchTemplate.id, version: Token.asString(this.launchTemplate.latestVersion) },
      instanceRefresh: {
        strategy: 'Rolling',
        preferences: { minHealthyPercentage: props.minHealthyPercentage ?? 90, autoRollback: true },
      },
      enabledMetrics: ['GroupDesiredCapacity', 'GroupInServiceInstances', 'GroupPendingInstances', 'GroupTerminatingInstances'],
      tag: Object.entries(instanceTags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    });
  }
}

/**
 * Base64-encodes user data: at synth when the text is plain, with Terraform's `base64encode` when it holds tokens
 * (the literal parts are passed as raw strings, so quotes, `${...}` and `%{...}` in the text reach the instance unchanged).
 */
export function encodeUserData(text: string): string {
  if (!Token.isUnresolved(text)) return Buffer.from(text, 'utf8').toString('base64');
  const parts = text
    .split(/(\$\{TfToken\[[^\]]+\]\})/)
    .filter((part) => part !== '')
    .map((part) => (Token.isUnresolved(part) ? part : templateLiteralArgument(part)));
  return Fn.base64encode(Fn.join('', parts));
}

function validate(props: ColorFleetProps): void {
  const fail = (msg: string) => {
    throw new Error(`ColorFleet ${props.name}-${props.color}: ${msg}`);
  };
  const { min, max, desired } = props.capacity;
  for (const [key, n] of Object.entries(props.capacity)) {
    if (!Number.isInteger(n) || n < 0) fail(`capacity.${key} must be a whole number ≥ 0 (got ${n})`);
  }
  if (min > max) fail(`capacity.min (${min}) must not exceed capacity.max (${max})`);
  if (desired < min || desired > max) fail(`capacity.desired (${desired}) must lie between min (${min}) and max (${max})`);
  if (!Token.isUnresolved(props.imageId) && !/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(props.imageId)) {
    fail(`imageId "${props.imageId}" is not an AMI id (ami- and 8 or 17 hex digits)`);
  }
  if (props.subnets.length === 0) fail('subnets is empty; give the private subnets, one per AZ');
  if (props.securityGroups.length === 0) fail("securityGroups is empty; pass the load balancer's instanceSecurityGroup");
  const pct = props.minHealthyPercentage ?? 90;
  if (!Number.isInteger(pct) || pct < 0 || pct > 100) fail(`minHealthyPercentage must be 0–100 (got ${pct})`);
  const size = props.rootVolumeSizeGiB ?? 20;
  if (!Number.isInteger(size) || size < 8 || size > 16384) fail(`rootVolumeSizeGiB must be 8–16384 (got ${size})`);
  const grace = props.healthCheckGracePeriodSeconds ?? 300;
  if (!Number.isInteger(grace) || grace < 0) fail(`healthCheckGracePeriodSeconds must be a whole number ≥ 0 (got ${grace})`);
  if (props.waitForElbCapacity !== undefined && props.waitForElbCapacity > max) {
    fail(`waitForElbCapacity (${props.waitForElbCapacity}) exceeds capacity.max (${max}); the deploy would never finish`);
  }
  if (props.userData !== undefined && !Token.isUnresolved(props.userData) && Buffer.byteLength(props.userData) > 16384 * 3 / 4) {
    fail(`userData is ${Buffer.byteLength(props.userData)} bytes; EC2 accepts at most 16 KiB after base64 (12288 bytes of text)`);
  }
}
