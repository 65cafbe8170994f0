import { Construct } from 'constructs';
import { EnvironmentStack, EnvironmentStackProps } from '../environment-stack';
import { addDigitalOceanProvider } from './do-provider';

/** `<env>-shared` on DigitalOcean: VPC, firewall, Spaces bucket, managed OpenSearch, project. */
export class DoSharedStack extends EnvironmentStack {
  constructor(scope: Construct, props: EnvironmentStackProps) {
    super(scope, 'shared', props);
    addDigitalOceanProvider(this);
  }
}
