import { Construct } from 'constructs';
import { Color } from '../../lib/config';
import { EnvironmentStack, EnvironmentStackProps } from '../environment-stack';
import { addDigitalOceanProvider } from './do-provider';
import { DoSharedStack } from './do-shared-stack';

/** Props for {@link DoColorStack}. */
export interface DoColorStackProps extends EnvironmentStackProps {
  /** Which fleet this stack holds. */
  readonly color: Color;
  /** The environment's shared stack. */
  readonly shared: DoSharedStack;
}

/** `<env>-blue` / `<env>-green` on DigitalOcean: the droplets of one color. */
export class DoColorStack extends EnvironmentStack {
  /** The shared stack this fleet joins. */
  public readonly shared: DoSharedStack;

  constructor(scope: Construct, props: DoColorStackProps) {
    super(scope, props.color, props);
    addDigitalOceanProvider(this);
    this.shared = props.shared;
  }
}
