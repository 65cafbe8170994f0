import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { forwarderConfigFromValues } from '../../lib/agents/log-forwarder';
import { renderUserData } from '../../lib/agents/user-data';
import { ColorFleet } from '../../lib/aws/color-fleet';
import { ReleaseParameter } from '../../lib/aws/release-parameter';
import { Color } from '../../lib/config';
import { EnvironmentStack, EnvironmentStackProps } from '../environment-stack';
import { addAwsProvider } from './aws-provider';
import { AwsSharedStack } from './aws-shared-stack';

/** Props for {@link AwsColorStack}. */
export interface AwsColorStackProps extends EnvironmentStackProps {
  /** Which fleet this stack holds. */
  readonly color: Color;
  /** The environment's shared stack (network, target groups) this fleet joins. */
  readonly shared: AwsSharedStack;
}

/**
 * `<env>-blue` / `<env>-green` on AWS: one fleet running one release. Deploying it never changes the other
 * color's stack or the traffic split.
 */
export class AwsColorStack extends EnvironmentStack {
  /** The shared stack this fleet joins. */
  public readonly shared: AwsSharedStack;
  /** The fleet: launch template and Auto Scaling group in the color's target group. */
  public readonly fleet: ColorFleet;
  /** The color's release configuration in Parameter Store, `/<app>/<env>/<color>/release`. */
  public readonly release: ReleaseParameter;

  constructor(scope: Construct, props: AwsColorStackProps) {
    super(scope, props.color, props);
    addAwsProvider(this);
    this.shared = props.shared;
    const { config } = this;
    const color = props.color;
    const lb = props.shared.loadBalancer;
    const values = config.colors[color];
    this.release = new ReleaseParameter(this, 'release', { app: config.app.name, environment: config.name, color, release: values.release });
    const releaseRead = this.release.readPolicy('release-read', `${config.app.name}-${config.name}-${color}-release-read`);
    this.fleet = new ColorFleet(this, 'fleet', {
      name: `${config.app.name}-${config.name}`,
      color,
      imageId: values.release.image,
      releaseVersion: values.release.version,
      instanceType: config.app.instanceType ?? '',
      subnets: props.shared.network.privateSubnets,
      securityGroups: [lb.instanceSecurityGroup],
      targetGroup: lb.targetGroups[color],
      capacity: values.capacity,
      healthCheckGracePeriodSeconds: config.fleet.healthCheckGracePeriodSeconds,
      minHealthyPercentage: config.fleet.minHealthyPercentage,
      rootVolumeSizeGiB: config.fleet.rootVolumeSizeGiB,
      rootDeviceName: config.fleet.rootDeviceName,
      managedPolicyArns: [props.shared.appFilesAccess.arn, props.shared.registryPull.arn, releaseRead.arn, props.shared.logStore.forwarderReadPolicy.arn],
      // The log forwarder (rsyslog -> log store); a literal, it reads the store's address and credentials at boot.
      userData: renderUserData({
        forwarder: forwarderConfigFromValues(config, color),
        credentials: { type: 'aws-secrets-manager', secretId: props.shared.logStore.forwarderSecretName, region: config.region },
      }),
    });
    new TerraformOutput(this, 'release_version', { value: values.release.version, description: `Release the ${color} fleet runs` });
    new TerraformOutput(this, 'autoscaling_group_name', { value: this.fleet.autoscalingGroup.name, description: `Auto Scaling group of the ${color} fleet` });
  }
}
