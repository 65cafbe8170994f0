import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { ITerraformDependable, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { internetWideSourcesProblem, parseCidr } from '../config/cidr';
import { COLORS, Color } from '../config/sections/release';
import { AWS_NAME_RULES, loadBalancerName, targetGroupName, validateAwsName } from './aws-names';
import { LogBucket } from './log-bucket';
import { checkProp, isUnresolvedValue, refuseProps } from '../construct-errors';
import { idKey, movedFromId } from '../construct-ids';

/** Ports the public listeners use; the test listener must not take one of them. */
export const PUBLIC_LISTENER_PORTS = { https: 443, http: 80 } as const;

/** Props for {@link AppLoadBalancer}. */
export interface AppLoadBalancerProps {
  /** Name prefix, e.g. `shop-prod`; the load balancer is `<name>` and the target groups `<name>-blue`/`-green`. */
  readonly name: string;
  /** The VPC the target groups and security groups live in. */
  readonly vpc: Vpc;
  /** Public subnets, one per AZ (at least two, an ALB requirement). */
  readonly publicSubnets: Subnet[];
  /** Port the application listens on, on each instance. */
  readonly appPort: number;
  /** Path the target groups' health checks request, e.g. `/health`. */
  readonly healthCheckPath: string;
  /** Bucket that receives the access logs (under its `albPrefix`). */
  readonly accessLogs: LogBucket;
  /**
   * Refuse `terraform destroy` of the load balancer. Turn off only for disposable environments.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Port of the test listener (served by the cutover stack) that reaches the idle color.
   * @default 8443
   */
  readonly testListenerPort?: number;
  /**
   * CIDRs allowed to reach the test listener (CI runners, office). Never `0.0.0.0/0`; more sources (the VPN's
   * on-premises ranges) can be added later with {@link AppLoadBalancer.allowTestListenerFrom}.
   * @default [] - nobody until a rule is added
   */
  readonly testListenerCidrs?: readonly string[];
  /**
   * Seconds a deregistering target keeps serving in-flight requests.
   * @default 30
   */
  readonly deregistrationDelaySeconds?: number;
  /**
   * Seconds over which a new target's share of requests ramps up (0 turns slow start off; else 30–900).
   * @default 0
   */
  readonly slowStartSeconds?: number;
  /**
   * HTTP desync mitigation: `strictest` (refuses every non-RFC-compliant request) or `defensive` (AWS's default,
   * the opt-out for clients that send ambiguous requests).
   * @default 'strictest'
   */
  readonly desyncMitigationMode?: 'defensive' | 'strictest';
  /**
   * Seconds an idle connection stays open.
   * @default 60
   */
  readonly idleTimeoutSeconds?: number;
}

/**
 * An internet-facing Application Load Balancer in the public subnets with one target group per color.
 *
 * The listeners live in the cutover stack (see {@link CutoverListeners}); this construct holds what outlives a
 * cutover: the load balancer (access logs on, invalid headers dropped, desync mitigation, deletion protection),
 * the `blue` and `green` target groups (stable ids), and two security groups: the load balancer's (443 and 80
 * from anywhere, the test listener port only from listed CIDRs, egress only to the instances' app port) and the
 * instances' (app port only from the load balancer).
 */
export class AppLoadBalancer extends Construct {
  /** The load balancer. */
  public readonly loadBalancer: Lb;
  /** One target group per color; construct ids `blue` and `green` never change. */
  public readonly targetGroups: Record<Color, LbTargetGroup>;
  /** The load balancer's security group (add test-port sources with {@link allowTestListenerFrom}). */
  public readonly securityGroup: SecurityGroup;
  /** The instances' security group: both color fleets use it; admits the app port only from the load balancer. */
  public readonly instanceSecurityGroup: SecurityGroup;
  /** Port of the test listener. */
  public readonly testListenerPort: number;
  /** Port the application listens on. */
  public readonly appPort: number;

  constructor(scope: Construct, id: string, props: AppLoadBalancerProps) {
    super(scope, id);
    validate(this, props);
    validateAwsName(this, 'name', props.name, AWS_NAME_RULES.loadBalancer, loadBalancerName(props.name));
    for (const color of COLORS)
      validateAwsName(
        this,
        'name',
        props.name,
        AWS_NAME_RULES.targetGroup,
        targetGroupName(props.name, `${color}-${props.appPort}`),
      );
    this.testListenerPort = props.testListenerPort ?? 8443;
    this.appPort = props.appPort;

    // Name prefixes, not names: with create_before_destroy a replacement group must not clash with the old one.
    this.securityGroup = new SecurityGroup(this, 'alb-sg', {
      namePrefix: `${props.name}-alb-`,
      description: `Load balancer of ${props.name}: HTTPS, HTTP redirect, test listener from allowed CIDRs`,
      vpcId: props.vpc.id,
      tags: { Name: `${props.name}-alb` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.instanceSecurityGroup = new SecurityGroup(this, 'instance-sg', {
      namePrefix: `${props.name}-instances-`,
      description: `Instances of ${props.name}: app port from the load balancer only`,
      vpcId: props.vpc.id,
      tags: { Name: `${props.name}-instances` },
      lifecycle: { createBeforeDestroy: true },
    });

    for (const [key, port] of Object.entries(PUBLIC_LISTENER_PORTS)) {
      new VpcSecurityGroupIngressRule(this, `alb-in-${key}`, {
        securityGroupId: this.securityGroup.id,
        description: key === 'https' ? 'HTTPS from the internet' : 'HTTP from the internet (redirected to HTTPS)',
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrIpv4: '0.0.0.0/0',
      });
    }
    // Keyed by the CIDR (alb-in-test-203-0-113-0-24); numbered until 0.2, hence the moved blocks.
    (props.testListenerCidrs ?? []).forEach((cidr, i) =>
      movedFromId(
        this.addTestRule(`alb-in-test-${idKey(cidr, i)}`, cidr, 'Test listener from an allowed CIDR'),
        `alb-in-test-${i}`,
      ),
    );
    new VpcSecurityGroupEgressRule(this, 'alb-out-app', {
      securityGroupId: this.securityGroup.id,
      description: 'To the instances on the app port',
      ipProtocol: 'tcp',
      fromPort: props.appPort,
      toPort: props.appPort,
      referencedSecurityGroupId: this.instanceSecurityGroup.id,
    });
    new VpcSecurityGroupIngressRule(this, 'instance-in-app', {
      securityGroupId: this.instanceSecurityGroup.id,
      description: 'App port from the load balancer',
      ipProtocol: 'tcp',
      fromPort: props.appPort,
      toPort: props.appPort,
      referencedSecurityGroupId: this.securityGroup.id,
    });
    new VpcSecurityGroupEgressRule(this, 'instance-out-https', {
      securityGroupId: this.instanceSecurityGroup.id,
      description: 'HTTPS out (AWS APIs, SSM, registries) through NAT',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
    });

    const logPolicy = props.accessLogs.node.tryFindChild('policy');
    this.loadBalancer = new Lb(this, 'alb', {
      name: loadBalancerName(props.name),
      internal: false,
      loadBalancerType: 'application',
      securityGroups: [this.securityGroup.id],
      subnets: props.publicSubnets.map((s) => s.id),
      enableDeletionProtection: props.deletionProtection ?? true,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: props.desyncMitigationMode ?? 'strictest',
      idleTimeout: props.idleTimeoutSeconds ?? 60,
      enableHttp2: true,
      accessLogs: { bucket: props.accessLogs.bucket.bucket, prefix: props.accessLogs.albPrefix, enabled: true },
      // The ALB checks at creation that it may write to the bucket: wait for the bucket policy.
      dependsOn:
        logPolicy instanceof TerraformResource ? [logPolicy as ITerraformDependable] : [props.accessLogs.bucket],
      tags: { Name: props.name },
    });

    const targetGroups = {} as Record<Color, LbTargetGroup>;
    for (const color of COLORS) {
      // The name carries the port (the one value-driven argument that forces a replacement), and the group is
      // created before the old one is deleted: a port change brings up new groups next to the old ones, which the
      // fleets and listeners (other stacks) leave before the old ones go. See README "Reading the diff".
      targetGroups[color] = new LbTargetGroup(this, color, {
        name: targetGroupName(props.name, `${color}-${props.appPort}`),
        lifecycle: { createBeforeDestroy: true },
        vpcId: props.vpc.id,
        port: props.appPort,
        protocol: 'HTTP',
        targetType: 'instance',
        deregistrationDelay: String(props.deregistrationDelaySeconds ?? 30),
        slowStart: props.slowStartSeconds ?? 0,
        healthCheck: {
          enabled: true,
          path: props.healthCheckPath,
          port: 'traffic-port',
          protocol: 'HTTP',
          matcher: '200',
          interval: 15,
          timeout: 5,
          healthyThreshold: 3,
          unhealthyThreshold: 3,
        },
        tags: { Name: `${props.name}-${color}`, color },
      });
    }
    this.targetGroups = targetGroups;
  }

  /** Points `domainName` (an A alias record in the Route 53 zone `zoneId`) at the load balancer. */
  public addAliasRecord(id: string, zoneId: string, domainName: string): Route53Record {
    return new Route53Record(this, id, {
      zoneId,
      name: domainName,
      type: 'A',
      alias: { name: this.loadBalancer.dnsName, zoneId: this.loadBalancer.zoneId, evaluateTargetHealth: true },
    });
  }

  /**
   * Admits one more source to the test listener port (e.g. an on-premises range reached over the VPN).
   * Refuses `0.0.0.0/0`, and any source that, with the ones already admitted, covers more public address space
   * than a /8: the test listener serves the release nobody has checked yet.
   */
  public allowTestListenerFrom(id: string, cidr: string, description = 'Test listener'): VpcSecurityGroupIngressRule {
    checkProp(this, cidr, testCidrProblem);
    checkTestCidrSet(this, [...this.testSources, cidr]);
    return this.addTestRule(id, cidr, description);
  }

  private readonly testSources: string[] = [];

  private addTestRule(id: string, cidr: string, description: string): VpcSecurityGroupIngressRule {
    this.testSources.push(cidr);
    return new VpcSecurityGroupIngressRule(this, id, {
      securityGroupId: this.securityGroup.id,
      description,
      ipProtocol: 'tcp',
      fromPort: this.testListenerPort,
      toPort: this.testListenerPort,
      cidrIpv4: cidr,
    });
  }
}

function testCidrProblem(cidr: string): string | undefined {
  const block = parseCidr(cidr);
  if (typeof block === 'string') return `test listener source ${block}`;
  if (block.prefix === 0)
    return `the test listener must not be open to the internet (got ${cidr}). Fix: list the CI and VPN ranges instead`;
  const wide = internetWideSourcesProblem([cidr]);
  if (wide)
    return `the test listener must not admit that much of the internet (${wide}). Fix: list the CI and VPN ranges instead`;
  return undefined;
}

function checkTestCidrSet(scope: Construct, cidrs: readonly string[]): void {
  const literal = cidrs.filter((c) => !isUnresolvedValue(c));
  const wide = internetWideSourcesProblem(literal);
  if (wide) refuseProps(scope, `the test listener sources ${wide}. Fix: list the CI and VPN ranges instead`);
}

function validate(scope: Construct, props: AppLoadBalancerProps): void {
  if (props.publicSubnets.length < 2)
    refuseProps(
      scope,
      `an Application Load Balancer needs subnets in at least two AZs (got ${props.publicSubnets.length}). Fix: give one public subnet per AZ, at least two`,
    );
  checkProp(scope, props.testListenerPort ?? 8443, (port) => {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      return `testListenerPort must be a port number (got ${port}). Fix: use 1–65535, e.g. 8443`;
    if (Object.values(PUBLIC_LISTENER_PORTS).includes(port as 80 | 443))
      return `testListenerPort ${port} is taken by a public listener. Fix: pick another, e.g. 8443`;
    return undefined;
  });
  for (const cidr of props.testListenerCidrs ?? []) checkProp(scope, cidr, testCidrProblem);
  checkTestCidrSet(scope, props.testListenerCidrs ?? []);
  checkProp(scope, props.slowStartSeconds ?? 0, (slow) =>
    slow !== 0 && (slow < 30 || slow > 900)
      ? `slowStartSeconds must be 0 (off) or 30–900 (got ${slow}). Fix: set it within that range`
      : undefined,
  );
  checkProp(scope, props.deregistrationDelaySeconds ?? 30, (delay) =>
    delay < 0 || delay > 3600
      ? `deregistrationDelaySeconds must be 0–3600 (got ${delay}). Fix: set it within that range`
      : undefined,
  );
  checkProp(scope, props.healthCheckPath, (path) =>
    path.startsWith('/')
      ? undefined
      : `healthCheckPath must be an absolute path such as /health (got "${path}"). Fix: start it with /`,
  );
}
