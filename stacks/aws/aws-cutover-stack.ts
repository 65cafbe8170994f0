import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { CutoverListeners } from '../../lib/aws/cutover-listeners';
import { SharedLookup } from '../../lib/aws/shared-parameters';
import { testListenerTarget } from '../../lib/config/sections/cutover-safety';
import { COLORS } from '../../lib/config/sections/release';
import { AWS_SHARED_READS, CUTOVER_OUTPUTS } from '../contract';
import { EnvironmentStack, EnvironmentStackProps } from '../environment-stack';
import { addAwsProvider } from './aws-provider';

/** Props for {@link AwsCutoverStack}. */
export type AwsCutoverStackProps = EnvironmentStackProps;

/**
 * `<env>-cutover` on AWS: the listeners that decide which color gets traffic. A cutover or rollback is a
 * deploy of this stack alone. The load balancer, target groups, certificate and hostname come from the SSM
 * parameters `<env>-shared` publishes, never from its state.
 */
export class AwsCutoverStack extends EnvironmentStack {
  /** What this stack reads from `<env>-shared`. */
  public readonly shared: SharedLookup;
  /** The HTTPS weighted listener, the HTTP redirect and the test listener. */
  public readonly listeners: CutoverListeners;

  constructor(scope: Construct, props: AwsCutoverStackProps) {
    super(scope, 'cutover', props);
    addAwsProvider(this);
    const { config } = this;
    const target = testListenerTarget(config);
    if (target.problem) throw new Error(`${this.node.id}: ${target.problem}`);
    const shared = new SharedLookup(this, 'shared', {
      app: config.app.name,
      environment: config.name,
      required: AWS_SHARED_READS.cutover,
    });
    this.shared = shared;

    const testListenerPort = config.loadBalancer.testListener.port;
    this.listeners = new CutoverListeners(this, 'listeners', {
      loadBalancer: {
        loadBalancer: { arn: shared.get('loadBalancerArn') },
        targetGroups: {
          blue: { arn: shared.get('blueTargetGroupArn') },
          green: { arn: shared.get('greenTargetGroupArn') },
        },
        testListenerPort,
      },
      certificate: { arn: shared.get('certificateArn') },
      weights: config.traffic,
      stickinessSeconds: config.traffic.stickinessSeconds,
      testColor: target.color,
      sslPolicy: config.loadBalancer.sslPolicy,
      strictTransportSecurity: config.loadBalancer.strictTransportSecurity,
    });

    const host = shared.get('hostname');
    new TerraformOutput(this, CUTOVER_OUTPUTS.liveUrl, {
      value: `https://${host}`,
      description: 'URL users reach (weighted over both colors)',
    });
    if (target.color) {
      new TerraformOutput(this, CUTOVER_OUTPUTS.testUrl, {
        value: `https://${host}:${testListenerPort}`,
        description: `Test listener URL: the idle color (${target.color}), reachable only from the allowed CIDRs and the VPN`,
      });
    }
    const serving = [...COLORS]
      .filter((c) => config.traffic[c] > 0)
      .sort((a, b) => config.traffic[b] - config.traffic[a]);
    new TerraformOutput(this, CUTOVER_OUTPUTS.liveColor, {
      value: serving.join('+'),
      description: 'Colors serving users, most traffic first (e.g. green, or blue+green during a canary)',
    });
    new TerraformOutput(this, CUTOVER_OUTPUTS.weights, {
      value: { blue: config.traffic.blue, green: config.traffic.green },
      description: 'Percent of traffic per color',
    });
  }
}
