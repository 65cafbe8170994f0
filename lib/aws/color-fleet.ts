import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { DataAwsAmi } from '@cdktf/provider-aws/lib/data-aws-ami';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Fn, Op, Token } from 'cdktf';
import { Construct } from 'constructs';
import { gunzipSync } from 'zlib';
import { gzipBase64, USER_DATA_LIMIT_BYTES } from '../agents/user-data';
import { ROOT_DEVICE_NAMES } from '../config/sections/fleet';
import { checkProp, refuseProps } from '../construct-errors';
import { movedFromId } from '../construct-ids';
import { IKmsKeyRef, IManagedPolicyRef } from './references';
import { AWS_NAME_RULES, validateAwsName } from './aws-names';
import { Color } from '../config/sections/release';
import { templateLiteralArgument } from '../escape-template-literals';

/** A device name an AMI registers its root volume on. */
export type RootDeviceName = (typeof ROOT_DEVICE_NAMES)[number];

/**
 * What the SSM agent needs on an instance (registration, Session Manager, Run Command, inventory, patching):
 * AmazonSSMManagedInstanceCore (v2) without `ssm:GetParameter` and `ssm:GetParameters`, which it grants on every
 * parameter of the account. Documents that resolve `{{ssm:...}}` parameters need a read policy for those parameters.
 */
export const SSM_AGENT_ACTIONS = [
  'ssm:DescribeAssociation',
  'ssm:GetDeployablePatchSnapshotForInstance',
  'ssm:GetDocument',
  'ssm:DescribeDocument',
  'ssm:GetManifest',
  'ssm:ListAssociations',
  'ssm:ListInstanceAssociations',
  'ssm:PutInventory',
  'ssm:PutComplianceItems',
  'ssm:PutConfigurePackageResult',
  'ssm:UpdateAssociationStatus',
  'ssm:UpdateInstanceAssociationStatus',
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
  'ec2messages:AcknowledgeMessage',
  'ec2messages:DeleteMessage',
  'ec2messages:FailMessage',
  'ec2messages:GetEndpoint',
  'ec2messages:GetMessages',
  'ec2messages:SendReply',
] as const;

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
   * Extra managed policies attached to the instance role, by a key that names the access (lowercase letters, digits
   * and dashes; the attachment's construct id is `policy-<key>`): e.g. `{ 'registry-pull': registry.grantPull(...) }`,
   * or `{ arn }` another stack published.
   * @default {} - only the SSM agent's inline policy ({@link SSM_AGENT_ACTIONS})
   */
  readonly managedPolicies?: Readonly<Record<string, IManagedPolicyRef>>;
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
   * Device name of the AMI's root volume (`/dev/xvda` for Amazon Linux 2023 and Debian 12, `/dev/sda1` for Ubuntu).
   * The launch template maps exactly this one device, so the instance's root is encrypted and of
   * {@link rootVolumeSizeGiB}; a plan checks it against the image (see {@link verifyRootDeviceName}).
   * @default '/dev/xvda'
   */
  readonly rootDeviceName?: RootDeviceName;
  /**
   * Look the image up (`data "aws_ami"` by id) and stop the plan when its root device name is not
   * {@link rootDeviceName}: a wrong name would leave the real root unencrypted at the image's size and add a blank
   * volume. Turn off only where `ec2:DescribeImages` is not allowed to the deploying role.
   * @default true
   */
  readonly verifyRootDeviceName?: boolean;
  /**
   * KMS key for the root volume (a `KmsKey`, or `{ arn }`).
   * @default - the account's default EBS key (aws/ebs)
   */
  readonly rootVolumeKey?: IKmsKeyRef;
  /**
   * Make `terraform apply` wait until this many instances are healthy in the target group.
   * @default - the desired capacity, so a deploy returns only when the new fleet serves
   */
  readonly waitForElbCapacity?: number;
}

/**
 * One color's fleet: a launch template (the release's AMI, IMDSv2 required with hop limit 1, encrypted gp3
 * root volume, an instance profile whose own policy is the SSM agent's, without parameter reads) and an Auto
 * Scaling group across the private
 * subnets, registered in the color's target group, replaced on failed ELB health checks, and rolled by
 * instance refresh whenever the launch template changes.
 */
export class ColorFleet extends Construct {
  /** The instances' IAM role (attach more policies with `IamRolePolicyAttachment`). */
  public readonly role: IamRole;
  /** The SSM agent's inline policy on {@link role} (no parameter reads). */
  public readonly ssmAgentPolicy: IamRolePolicy;
  /** The instance profile wrapping {@link role}. */
  public readonly instanceProfile: IamInstanceProfile;
  /** The attachments of {@link ColorFleetProps.managedPolicies}, in their order. */
  public readonly policyAttachments: IamRolePolicyAttachment[];
  /** The launch template; every release is a new version. */
  public readonly launchTemplate: LaunchTemplate;
  /** The Auto Scaling group. */
  public readonly autoscalingGroup: AutoscalingGroup;
  /** Name of the fleet, `<name>-<color>`. */
  public readonly fleetName: string;
  /** The image lookup that checks the root device name at plan time (unset when {@link ColorFleetProps.verifyRootDeviceName} is false). */
  public readonly image?: DataAwsAmi;

  constructor(scope: Construct, id: string, props: ColorFleetProps) {
    super(scope, id);
    validate(this, props);
    const name = `${props.name}-${props.color}`;
    validateAwsName(this, 'name', props.name, AWS_NAME_RULES.iamRole, `${name}-instance`);
    this.fleetName = name;

    this.role = new IamRole(this, 'role', {
      name: `${name}-instance`,
      description: `Instances of the ${props.color} fleet of ${props.name}`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    // What the SSM agent needs (Session Manager, Run Command, inventory), without AmazonSSMManagedInstanceCore's
    // ssm:GetParameter(s) on "*", which would let every fleet read every parameter (the other color's release,
    // every SecureString). Parameter reads come only from the per-color read policies passed in managedPolicies.
    this.ssmAgentPolicy = new IamRolePolicy(this, 'ssm-agent', {
      role: this.role.id,
      name: 'ssm-agent',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'SsmAgent', Effect: 'Allow', Action: [...SSM_AGENT_ACTIONS], Resource: '*' }],
      }),
    });
    // Attachments are keyed by what they grant. Until 0.2 they were numbered policy-1.. in list order (policy-0 was
    // AmazonSSMManagedInstanceCore): the moved block carries the n-th entry's attachment over to its key.
    this.policyAttachments = Object.entries(props.managedPolicies ?? {}).map(([key, policy], i) => {
      const attachment = new IamRolePolicyAttachment(this, `policy-${key}`, {
        role: this.role.name,
        policyArn: policy.arn,
      });
      movedFromId(attachment, `policy-${i + 1}`);
      return attachment;
    });
    this.instanceProfile = new IamInstanceProfile(this, 'profile', { name: `${name}-instance`, role: this.role.name });

    const instanceTags = { Name: name, color: props.color, release: props.releaseVersion };
    const rootDeviceName = props.rootDeviceName ?? '/dev/xvda';
    this.image =
      props.verifyRootDeviceName === false
        ? undefined
        : new DataAwsAmi(this, 'image', { filter: [{ name: 'image-id', values: [props.imageId] }] });
    this.launchTemplate = new LaunchTemplate(this, 'launch-template', {
      name,
      description: `${name} running release ${props.releaseVersion}`,
      imageId: props.imageId,
      instanceType: props.instanceType,
      updateDefaultVersion: true,
      vpcSecurityGroupIds: props.securityGroups.map((sg) => sg.id),
      iamInstanceProfile: { arn: this.instanceProfile.arn },
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'enabled',
      },
      blockDeviceMappings: [
        {
          deviceName: rootDeviceName,
          ebs: {
            volumeType: 'gp3',
            volumeSize: props.rootVolumeSizeGiB ?? 20,
            encrypted: 'true',
            kmsKeyId: props.rootVolumeKey?.arn,
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
      lifecycle: this.image
        ? {
            precondition: [
              {
                condition: Op.eq(this.image.rootDeviceName, rootDeviceName),
                errorMessage: `ColorFleet ${name}: the image's root device is not ${rootDeviceName}, so the encrypted ${props.rootVolumeSizeGiB ?? 20} GiB root mapping would be an extra blank volume. Fix: set fleet.rootDeviceName to the image's RootDeviceName (/dev/sda1 for Ubuntu, /dev/xvda for Amazon Linux 2023 and Debian 12).`,
              },
            ],
          }
        : undefined,
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
      enabledMetrics: [
        'GroupDesiredCapacity',
        'GroupInServiceInstances',
        'GroupPendingInstances',
        'GroupTerminatingInstances',
      ],
      tag: Object.entries(instanceTags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    });
  }
}

/**
 * Gzips and base64-encodes user data (cloud-init unpacks gzip itself, and the compressed text leaves room under
 * EC2's 16 KiB limit): at synth when the text is plain, with Terraform's `base64gzip` when it holds tokens (the
 * literal parts are passed as raw strings, so quotes, `${...}` and `%{...}` in the text reach the instance unchanged).
 */
export function encodeUserData(text: string): string {
  if (!Token.isUnresolved(text)) return gzipBase64(text);
  const parts = text
    .split(/(\$\{TfToken\[[^\]]+\]\})/)
    .filter((part) => part !== '')
    .map((part) => (Token.isUnresolved(part) ? part : templateLiteralArgument(part)));
  return Fn.base64gzip(Fn.join('', parts));
}

/** The text of user data as {@link encodeUserData} encoded it (base64, gzip when compressed). */
export function decodeUserData(encoded: string): string {
  const bytes = Buffer.from(encoded, 'base64');
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** Refuses unusable props with {@link ConstructPropsError}: construct path, prop, value, limit and fix. */
function validate(scope: Construct, props: ColorFleetProps): void {
  const fail = (msg: string) => refuseProps(scope, `ColorFleet ${props.name}-${props.color}: ${msg}`);
  const check = <T>(value: T, problem: (v: T) => string | undefined) =>
    checkProp(scope, value, (v) => {
      const found = problem(v);
      return found === undefined ? undefined : `ColorFleet ${props.name}-${props.color}: ${found}`;
    });
  const { min, max, desired } = props.capacity;
  for (const [key, n] of Object.entries(props.capacity)) {
    check(n, (v) =>
      !Number.isInteger(v) || v < 0
        ? `capacity.${key} must be a whole number ≥ 0 (got ${v}). Fix: set colors.<color>.capacity.${key} to 0 or more`
        : undefined,
    );
  }
  check([min, max], ([lo, hi]) =>
    lo > hi ? `capacity.min (${lo}) must not exceed capacity.max (${hi}). Fix: raise max or lower min` : undefined,
  );
  check([min, max, desired], ([lo, hi, d]) =>
    d < lo || d > hi
      ? `capacity.desired (${d}) must lie between min (${lo}) and max (${hi}). Fix: set desired within that range`
      : undefined,
  );
  check(props.imageId, (id) =>
    /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(id)
      ? undefined
      : `imageId "${id}" is not an AMI id (ami- and 8 or 17 hex digits). Fix: give the id of the AMI the release was baked into`,
  );
  for (const key of Object.keys(props.managedPolicies ?? {})) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(key))
      fail(
        `managedPolicies key "${key}" is not lowercase letters, digits and dashes (it becomes the construct id policy-<key>). Fix: name the access, e.g. registry-pull`,
      );
  }
  if (props.subnets.length === 0) fail('subnets is empty. Fix: give the private subnets, one per AZ');
  if (props.securityGroups.length === 0)
    fail("securityGroups is empty. Fix: pass the load balancer's instanceSecurityGroup");
  check(props.minHealthyPercentage ?? 90, (pct) =>
    !Number.isInteger(pct) || pct < 0 || pct > 100
      ? `minHealthyPercentage must be 0–100 (got ${pct}). Fix: set fleet.minHealthyPercentage within 0–100`
      : undefined,
  );
  const device = props.rootDeviceName ?? '/dev/xvda';
  if (!(ROOT_DEVICE_NAMES as readonly string[]).includes(device)) {
    fail(
      `rootDeviceName "${device}" is not an AMI root device name (${ROOT_DEVICE_NAMES.join(' or ')}). Fix: set fleet.rootDeviceName to the image's RootDeviceName`,
    );
  }
  check(props.rootVolumeSizeGiB ?? 20, (size) =>
    !Number.isInteger(size) || size < 8 || size > 16384
      ? `rootVolumeSizeGiB must be 8–16384 (got ${size}). Fix: set fleet.rootVolumeSizeGiB within 8–16384`
      : undefined,
  );
  check(props.healthCheckGracePeriodSeconds ?? 300, (grace) =>
    !Number.isInteger(grace) || grace < 0
      ? `healthCheckGracePeriodSeconds must be a whole number ≥ 0 (got ${grace}). Fix: set fleet.healthCheckGracePeriodSeconds to 0 or more`
      : undefined,
  );
  if (props.waitForElbCapacity !== undefined) {
    check([props.waitForElbCapacity, max], ([wait, hi]) =>
      wait > hi
        ? `waitForElbCapacity (${wait}) exceeds capacity.max (${hi}); the deploy would never finish. Fix: wait for at most ${hi}`
        : undefined,
    );
  }
  if (props.userData !== undefined && !Token.isUnresolved(props.userData)) {
    const encoded = encodeUserData(props.userData).length;
    if (encoded > USER_DATA_LIMIT_BYTES.aws) {
      fail(
        `userData is ${encoded} bytes gzipped and base64-encoded (${Buffer.byteLength(props.userData)} bytes of text); EC2 accepts at most ${USER_DATA_LIMIT_BYTES.aws}. Fix: forward fewer log files or shorten extraCommands`,
      );
    }
  }
}
