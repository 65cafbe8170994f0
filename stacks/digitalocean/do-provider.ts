import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { EnvironmentStack } from '../environment-stack';

/**
 * Adds the DigitalOcean provider to a stack. The API token comes from `DIGITALOCEAN_TOKEN` at plan/deploy
 * time, never from values or synthesized JSON. DigitalOcean has no provider-level default tags: resources
 * take {@link doTags} of the stack instead.
 */
export function addDigitalOceanProvider(stack: EnvironmentStack): DigitaloceanProvider {
  return new DigitaloceanProvider(stack, 'digitalocean', {});
}

/**
 * The stack's default tags in DigitalOcean's form: tags are bare names (letters, digits, `:`, `-`, `_`),
 * so each `key: value` becomes `key:value`.
 */
export function doTags(stack: EnvironmentStack): string[] {
  return Object.entries(stack.defaultTags).map(([k, v]) => `${k}:${v}`.replace(/[^A-Za-z0-9:_-]/g, '-').slice(0, 255));
}
