import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { CutoverListeners } from '../../lib/aws/cutover-listeners';
import { CUTOVER_OUTPUTS } from '../../lib/commands/output-names';
import { testListenerTarget } from '../../lib/config/sections/cutover-safety';
import { COLORS } from '../../lib/config/sections/release';
import { EnvironmentStack, EnvironmentStackProps } from '../environment-stack';
import { addAwsProvider } from './aws-provider';
import { AwsSharedStack } from './aws-shared-stack';

export { CUTOVER_OUTPUTS };

/** Props for {@link AwsCutoverStack}. */
export interface AwsCutoverStackProps extends EnvironmentStackProps {
  /** The environment's shared stack (load balancer, target groups). */
  readonly shared: AwsSharedStack;
}

/**
 * `<env>-cutover` on AWS: the listeners that decide which color gets traffic. A cutover or rollback is a
 * deploy of this stack alone.
 */
export class AwsCutoverStack extends EnvironmentStack {
  /** The shared stack holding the load balancer. */
  public readonly shared: AwsSharedStack;
  /** The HTTPS weighted listener, the HTTP redirect and the test listener. */
  public readonly listeners: CutoverListeners;

  constructor(scope: Construct, props: AwsCutoverStackProps) {
    super(scope, 'cutover', props);
    addAwsProvider(this);
    this.shared = props.shared;
    const { config } = this;
    const target = testListenerTarget(config);
    if (target.problem) throw new Error(`${this.node.id}: ${target.problem}`);

    this.listeners = new CutoverListeners(this, 'listeners', {
      loadBalancer: props.shared.loadBalancer,
      certificateArn: props.shared.certificate.arn,
      weights: config.traffic,
      stickinessSeconds: config.traffic.stickinessSeconds,
      testColor: target.color,
    });

    const host = props.shared.hostname;
    new TerraformOutput(this, CUTOVER_OUTPUTS.liveUrl, { value: `https://${host}`, description: 'URL users reach (weighted over both colors)' });
    if (target.color) {
      new TerraformOutput(this, CUTOVER_OUTPUTS.testUrl, {
        value: `https://${host}:${props.shared.loadBalancer.testListenerPort}`,
        description: `Test listener URL: the idle color (${target.color}), reachable only from the allowed CIDRs and the VPN`,
      });
    }
    const serving = [...COLORS].filter((c) => config.traffic[c] > 0).sort((a, b) => config.traffic[b] - config.traffic[a]);
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
