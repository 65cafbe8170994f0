import { Construct } from 'constructs';
import { EnvironmentStack, EnvironmentStackProps } from '../environment-stack';
import { addAwsProvider } from './aws-provider';
import { AwsSharedStack } from './aws-shared-stack';

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

  constructor(scope: Construct, props: AwsCutoverStackProps) {
    super(scope, 'cutover', props);
    addAwsProvider(this);
    this.shared = props.shared;
  }
}
