import { Fn, TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';
import { forwarderConfigFromValues } from '../../lib/agents/log-forwarder';
import { renderUserData } from '../../lib/agents/user-data';
import { ColorFleet } from '../../lib/aws/color-fleet';
import { renderFor } from '../../lib/construct-errors';
import { logForwarderSecretName } from '../../lib/aws/log-store';
import { ReleaseParameter } from '../../lib/aws/release-parameter';
import { SharedLookup } from '../../lib/aws/shared-parameters';
import { Color } from '../../lib/config';
import { awsSharedReads, COLOR_OUTPUTS } from '../contract';
import { hasLogStore } from '../../lib/config/sections/logging';
import { EnvironmentStack, EnvironmentStackProps } from '../environment-stack';
import { addAwsProvider } from './aws-provider';

/** Props for {@link AwsColorStack}. */
export interface AwsColorStackProps extends EnvironmentStackProps {
  /** Which fleet this stack holds. */
  readonly color: Color;
}

/**
 * `<env>-blue` / `<env>-green` on AWS: one fleet running one release. Deploying it never changes the other
 * color's stack or the traffic split. It reads what it needs from `<env>-shared` (subnets, security group, its
 * target group, the managed policies) from the SSM parameters that stack publishes, never from its state, so it
 * deploys on its own: `npx cdktf deploy <env>-<color>`.
 */
export class AwsColorStack extends EnvironmentStack {
  /** What this fleet reads from `<env>-shared`. */
  public readonly shared: SharedLookup;
  /** The fleet: launch template and Auto Scaling group in the color's target group. */
  public readonly fleet: ColorFleet;
  /** The color's release configuration in Parameter Store, `/<app>/<env>/<color>/release`. */
  public readonly release: ReleaseParameter;

  constructor(scope: Construct, props: AwsColorStackProps) {
    super(scope, props.color, props);
    addAwsProvider(this);
    const { config } = this;
    const color = props.color;
    const values = config.colors[color];
    const prefix = `${config.app.name}-${config.name}`;
    const logStore = hasLogStore(config);
    const shared = new SharedLookup(this, 'shared', {
      app: config.app.name,
      environment: config.name,
      required: awsSharedReads(color, logStore),
    });
    this.shared = shared;
    this.release = new ReleaseParameter(this, 'release', {
      app: config.app.name,
      environment: config.name,
      color,
      release: values.release,
      region: config.region,
    });
    const releaseRead = this.release.grantRead('release-read', { name: `${prefix}-${color}-release-read` });
    // One subnet per private subnet of the values (the shared stack creates exactly those, in that order).
    const subnetIds = shared.getList('privateSubnetIds');
    const subnets = (config.network.privateSubnets ?? []).map((_, i) => ({
      id: Token.asString(Fn.element(subnetIds, i)),
    }));
    this.fleet = new ColorFleet(this, 'fleet', {
      name: prefix,
      color,
      imageId: values.release.image,
      releaseVersion: values.release.version,
      instanceType: config.app.instanceType ?? '',
      subnets,
      securityGroups: [{ id: shared.get('instanceSecurityGroupId') }],
      targetGroup: { arn: shared.get(color === 'blue' ? 'blueTargetGroupArn' : 'greenTargetGroupArn') },
      capacity: values.capacity,
      healthCheckGracePeriodSeconds: config.fleet.healthCheckGracePeriodSeconds,
      minHealthyPercentage: config.fleet.minHealthyPercentage,
      rootVolumeSizeGiB: config.fleet.rootVolumeSizeGiB,
      rootDeviceName: config.fleet.rootDeviceName,
      managedPolicies: {
        'app-files': { arn: shared.get('appFilesAccessPolicyArn') },
        'registry-pull': { arn: shared.get('registryPullPolicyArn') },
        'release-read': releaseRead,
        ...(logStore ? { 'log-forwarder-read': { arn: shared.get('logForwarderReadPolicyArn') } } : {}),
      },
      // The log forwarder (rsyslog -> log store); a literal, it reads the store's address and credentials at boot
      // from the secret the shared stack's log store names the same way. None without a log store.
      userData: logStore
        ? renderFor(this, () =>
            renderUserData({
              forwarder: forwarderConfigFromValues(config, color),
              credentials: {
                type: 'aws-secrets-manager',
                secretId: logForwarderSecretName(prefix),
                region: config.region,
              },
            }),
          )
        : undefined,
    });
    new TerraformOutput(this, COLOR_OUTPUTS.releaseVersion, {
      value: values.release.version,
      description: `Release the ${color} fleet runs`,
    });
    new TerraformOutput(this, COLOR_OUTPUTS.autoscalingGroupName, {
      value: this.fleet.autoscalingGroup.name,
      description: `Auto Scaling group of the ${color} fleet`,
    });
  }
}
