import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { toDoTags } from '../../lib/digitalocean/tag-names';
import { EnvironmentStack } from '../environment-stack';

/**
 * Adds the DigitalOcean provider to a stack. The API token comes from `DIGITALOCEAN_TOKEN` (and the Spaces
 * keys from `SPACES_ACCESS_KEY_ID` / `SPACES_SECRET_ACCESS_KEY`) at plan/deploy time, never from values or
 * synthesized JSON. DigitalOcean has no provider-level default tags: resources take {@link doTags} of the stack
 * instead.
 */
export function addDigitalOceanProvider(stack: EnvironmentStack): DigitaloceanProvider {
  return new DigitaloceanProvider(stack, 'digitalocean', {});
}

/**
 * The stack's default tags in DigitalOcean's form: tags are bare names (letters, digits, `:`, `-`, `_`),
 * so each `key: value` becomes `key:value`.
 */
export function doTags(stack: EnvironmentStack): string[] {
  return toDoTags(stack.defaultTags);
}
