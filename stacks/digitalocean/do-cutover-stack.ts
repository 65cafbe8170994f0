import { Construct } from 'constructs';
import { EnvironmentStack, EnvironmentStackProps } from '../environment-stack';
import { addDigitalOceanProvider } from './do-provider';
import { DoSharedStack } from './do-shared-stack';

/** Props for {@link DoCutoverStack}. */
export interface DoCutoverStackProps extends EnvironmentStackProps {
  /** The environment's shared stack. */
  readonly shared: DoSharedStack;
}

/** `<env>-cutover` on DigitalOcean: the load balancer pointed at the live color's tag, and the preview one. */
export class DoCutoverStack extends EnvironmentStack {
  /** The shared stack. */
  public readonly shared: DoSharedStack;

  constructor(scope: Construct, props: DoCutoverStackProps) {
    super(scope, 'cutover', props);
    addDigitalOceanProvider(this);
    this.shared = props.shared;
  }
}
