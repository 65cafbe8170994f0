import { Construct } from 'constructs';
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

  constructor(scope: Construct, props: AwsColorStackProps) {
    super(scope, props.color, props);
    addAwsProvider(this);
    this.shared = props.shared;
  }
}
