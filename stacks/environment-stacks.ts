import { Construct } from 'constructs';
import { EnvironmentConfig } from '../lib/config';
import { AwsColorStack } from './aws/aws-color-stack';
import { AwsCutoverStack } from './aws/aws-cutover-stack';
import { AwsSharedStack } from './aws/aws-shared-stack';
import { DoColorStack } from './digitalocean/do-color-stack';
import { DoCutoverStack } from './digitalocean/do-cutover-stack';
import { DoSharedStack } from './digitalocean/do-shared-stack';
import { EnvironmentStack } from './environment-stack';

/** The four stacks of one environment. */
export interface EnvironmentStacks {
  /** `<env>-shared`: network, load balancer, central services. */
  readonly shared: EnvironmentStack;
  /** `<env>-blue`: the blue fleet. */
  readonly blue: EnvironmentStack;
  /** `<env>-green`: the green fleet. */
  readonly green: EnvironmentStack;
  /** `<env>-cutover`: traffic switching. */
  readonly cutover: EnvironmentStack;
}

/**
 * Creates the four stacks of an environment on the cloud its values name: `<env>-shared`, `<env>-blue`,
 * `<env>-green` and `<env>-cutover`. The stacks hold no references to each other: `<env>-shared` publishes what the
 * others read (see `stacks/contract.ts`), so each deploys on its own, `<env>-shared` first.
 */
export function createEnvironmentStacks(scope: Construct, config: EnvironmentConfig): EnvironmentStacks {
  if (config.cloud === 'aws') {
    const shared = new AwsSharedStack(scope, { config });
    return {
      shared,
      blue: new AwsColorStack(scope, { config, color: 'blue' }),
      green: new AwsColorStack(scope, { config, color: 'green' }),
      cutover: new AwsCutoverStack(scope, { config }),
    };
  }
  const shared = new DoSharedStack(scope, { config });
  return {
    shared,
    blue: new DoColorStack(scope, { config, color: 'blue' }),
    green: new DoColorStack(scope, { config, color: 'green' }),
    cutover: new DoCutoverStack(scope, { config }),
  };
}
