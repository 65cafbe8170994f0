import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { EnvironmentStack } from '../environment-stack';

/** Adds the AWS provider to a stack: the environment's region, the account guard, and the default tags. */
export function addAwsProvider(stack: EnvironmentStack): AwsProvider {
  const config = stack.config;
  return new AwsProvider(stack, 'aws', {
    region: config.region,
    allowedAccountIds: config.allowedAccountIds ? [...config.allowedAccountIds] : undefined,
    defaultTags: [{ tags: stack.defaultTags }],
  });
}
