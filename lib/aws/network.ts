import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { TerraformResource, Token } from 'cdktf';
import { Construct } from 'constructs';
import { refuseProps } from '../construct-errors';
import { AWS_NAME_RULES, validateAwsName } from './aws-names';
import { protectStateful } from './stateful';
import { IKmsKeyRef } from './references';
import { movedFromId } from '../construct-ids';
import { cidrContains, cidrsOverlap, parseCidr } from '../config/cidr';
import { AVAILABILITY_ZONE_NAME } from '../config/sections/network';

/** Props for {@link Network}. */
export interface NetworkProps {
  /** Name prefix for resources and the `Name` tag, e.g. `shop-prod`. */
  readonly name: string;
  /** The VPC range, e.g. `10.30.0.0/16`. */
  readonly vpcCidr: string;
  /**
   * The availability zones by name (`eu-west-1a`), one per subnet pair: public and private subnet `i` live in
   * zone `i`. Named, not looked up, so a change in the region's list of available zones never moves (replaces)
   * a subnet. At least as many zones as subnets per tier.
   */
  readonly availabilityZones: readonly string[];
  /** One public subnet CIDR per availability zone, in the order of `availabilityZones`. */
  readonly publicSubnets: readonly string[];
  /** One private subnet CIDR per availability zone; same length as `publicSubnets`. */
  readonly privateSubnets: readonly string[];
  /**
   * NAT gateways for the private subnets' outbound traffic.
   * @default 'one-per-az' - an AZ outage does not cut the other AZs off
   */
  readonly natGateways?: 'one-per-az' | 'single';
  /**
   * Days to keep VPC flow logs.
   * @default 90
   */
  readonly flowLogRetentionDays?: number;
  /** KMS key that encrypts the flow log group (a {@link LogEncryptionKey}, a `KmsKey`, or `{ arn }`). */
  readonly logKey: IKmsKeyRef;
  /**
   * Terraform's `prevent_destroy` on the flow log group (and `skip_destroy` on log groups): a plan that would delete
   * them fails. `false` is the opt-out for disposable environments (the guardrail finding is then suppressed with
   * that reason).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * A VPC across availability zones named in the props (stable: never a lookup): public subnets behind an internet gateway, private subnets behind NAT,
 * all traffic recorded by VPC flow logs into an encrypted CloudWatch log group, and the default security
 * group stripped of every rule.
 */
export class Network extends Construct {
  /** The VPC. */
  public readonly vpc: Vpc;
  /** Public subnets, one per AZ, in AZ order. */
  public readonly publicSubnets: Subnet[];
  /** Private subnets, one per AZ, in AZ order. */
  public readonly privateSubnets: Subnet[];
  /** Private route tables, one per AZ (route propagation targets, e.g. for a VPN gateway). */
  public readonly privateRouteTables: RouteTable[];
  /** The public route table. */
  public readonly publicRouteTable: RouteTable;
  /** The flow log group (all traffic, accepted and rejected). */
  public readonly flowLogGroup: CloudwatchLogGroup;
  /** The flow log. */
  public readonly flowLog: FlowLog;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    validate(this, props);
    validateAwsName(this, 'name', props.name, AWS_NAME_RULES.logGroup, `/vpc/${props.name}/flow-logs`);
    validateAwsName(this, 'name', props.name, AWS_NAME_RULES.iamRole, `${props.name}-vpc-flow-logs`);
    const tag = (suffix: string) => ({ Name: `${props.name}-${suffix}` });

    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: tag('vpc'),
    });
    new DefaultSecurityGroup(this, 'default-sg', {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: tag('default-deny'),
    });

    const igw = new InternetGateway(this, 'igw', { vpcId: this.vpc.id, tags: tag('igw') });
    this.publicRouteTable = new RouteTable(this, 'public-rt', { vpcId: this.vpc.id, tags: tag('public') });
    new Route(this, 'public-default', {
      routeTableId: this.publicRouteTable.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw.id,
    });

    // Per-AZ resources have ids keyed by the AZ (`public-eu-west-1a`). Until 0.2 they were numbered in AZ order
    // (`public-0`): the moved blocks carry existing resources over. Name tags keep their numbers (no in-place change).
    const perAz = <T extends TerraformResource>(base: string, i: number, create: (id: string) => T): T =>
      movedFromId(create(`${base}-${props.availabilityZones[i]}`), `${base}-${i}`);

    this.publicSubnets = props.publicSubnets.map((cidr, i) =>
      perAz(
        'public',
        i,
        (id) =>
          new Subnet(this, id, {
            vpcId: this.vpc.id,
            cidrBlock: cidr,
            availabilityZone: props.availabilityZones[i],
            mapPublicIpOnLaunch: false,
            tags: { ...tag(`public-${i}`), tier: 'public' },
          }),
      ),
    );
    this.publicSubnets.forEach((subnet, i) =>
      perAz(
        'public-rta',
        i,
        (id) => new RouteTableAssociation(this, id, { subnetId: subnet.id, routeTableId: this.publicRouteTable.id }),
      ),
    );

    const natCount = props.natGateways === 'single' ? 1 : this.publicSubnets.length;
    const nats = Array.from({ length: natCount }, (_, i) => {
      const eip = perAz('nat-eip', i, (id) => new Eip(this, id, { domain: 'vpc', tags: tag(`nat-${i}`) }));
      return perAz(
        'nat',
        i,
        (id) =>
          new NatGateway(this, id, {
            allocationId: eip.id,
            subnetId: this.publicSubnets[i].id,
            tags: tag(`nat-${i}`),
            dependsOn: [igw],
          }),
      );
    });

    this.privateSubnets = props.privateSubnets.map((cidr, i) =>
      perAz(
        'private',
        i,
        (id) =>
          new Subnet(this, id, {
            vpcId: this.vpc.id,
            cidrBlock: cidr,
            availabilityZone: props.availabilityZones[i],
            tags: { ...tag(`private-${i}`), tier: 'private' },
          }),
      ),
    );
    this.privateRouteTables = this.privateSubnets.map((subnet, i) => {
      const rt = perAz(
        'private-rt',
        i,
        (id) => new RouteTable(this, id, { vpcId: this.vpc.id, tags: tag(`private-${i}`) }),
      );
      perAz(
        'private-default',
        i,
        (id) =>
          new Route(this, id, {
            routeTableId: rt.id,
            destinationCidrBlock: '0.0.0.0/0',
            natGatewayId: nats[i % natCount].id,
          }),
      );
      perAz(
        'private-rta',
        i,
        (id) => new RouteTableAssociation(this, id, { subnetId: subnet.id, routeTableId: rt.id }),
      );
      return rt;
    });

    this.flowLogGroup = new CloudwatchLogGroup(this, 'flow-logs', {
      name: `/vpc/${props.name}/flow-logs`,
      retentionInDays: props.flowLogRetentionDays ?? 90,
      kmsKeyId: props.logKey.arn,
    });
    protectStateful([this.flowLogGroup], props.preventDestroy);
    // Only flow logs of this account may assume the role (confused deputy: aws:SourceAccount and aws:SourceArn).
    const account = new DataAwsCallerIdentity(this, 'account');
    const partition = new DataAwsPartition(this, 'partition');
    const role = new IamRole(this, 'flow-log-role', {
      name: `${props.name}-vpc-flow-logs`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: { 'aws:SourceAccount': account.accountId },
              ArnLike: { 'aws:SourceArn': `arn:${partition.partition}:ec2:*:${account.accountId}:vpc-flow-log/*` },
            },
          },
        ],
      }),
    });
    new IamRolePolicy(this, 'flow-log-policy', {
      role: role.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
            Resource: `${this.flowLogGroup.arn}:*`,
          },
        ],
      }),
    });
    this.flowLog = new FlowLog(this, 'flow-log', {
      vpcId: this.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: this.flowLogGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: tag('flow-log'),
    });
  }
}

function validate(scope: Construct, props: NetworkProps): void {
  const fail = (msg: string): never => refuseProps(scope, msg);
  const all = [props.vpcCidr, ...props.publicSubnets, ...props.privateSubnets];
  if (all.some((c) => Token.isUnresolved(c))) return;
  for (const cidr of all) {
    const block = parseCidr(cidr);
    if (typeof block === 'string') fail(`${block}. Fix: give vpcCidr and the subnets as aligned IPv4 CIDR blocks`);
  }
  if (props.publicSubnets.length === 0) fail('publicSubnets is empty. Fix: give one CIDR per availability zone');
  const zones = props.availabilityZones;
  if (!zones.some((z) => Token.isUnresolved(z))) {
    zones.forEach((z, i) => {
      if (!AVAILABILITY_ZONE_NAME.test(z))
        fail(
          `availabilityZones[${i}] "${z}" is not an availability zone name such as eu-west-1a. Fix: use the zone name, not the zone id`,
        );
      if (zones.indexOf(z) !== i)
        fail(
          `availabilityZones lists ${z} twice; two subnets of a tier in one zone give no zone redundancy. Fix: list each zone once`,
        );
    });
    const needed = Math.max(props.publicSubnets.length, props.privateSubnets.length);
    if (zones.length < needed) {
      fail(
        `availabilityZones names ${zones.length} zone(s) (${zones.join(', ') || 'none'}) for ${needed} subnets per tier. Fix: name one zone per subnet (e.g. network.availabilityZones in the values)`,
      );
    }
  }
  if (props.publicSubnets.length !== props.privateSubnets.length) {
    fail(
      `publicSubnets (${props.publicSubnets.length}) and privateSubnets (${props.privateSubnets.length}) differ in length. Fix: give one CIDR per AZ in each`,
    );
  }
  const subnets = [...props.publicSubnets, ...props.privateSubnets];
  subnets.forEach((s, i) => {
    if (!cidrContains(props.vpcCidr, s))
      fail(`subnet ${s} lies outside the VPC range ${props.vpcCidr}. Fix: pick a subnet inside ${props.vpcCidr}`);
    subnets
      .slice(0, i)
      .forEach((o) => cidrsOverlap(o, s) && fail(`subnet ${s} overlaps ${o}. Fix: pick ranges that do not overlap`));
  });
}
