import { Construct } from 'constructs';
import { loadEnvironments } from '../lib/config';
import { createEnvironmentStacks, EnvironmentStacks } from './environment-stacks';

/**
 * Loads every environment from a values directory and creates the four stacks of each: the one call a
 * `main.ts` needs.
 *
 * `dir` holds `defaults.yaml` and one `<name>.yaml` per environment; each environment file is overlaid on the
 * defaults and validated. Every file is checked before the first stack exists, so an invalid value anywhere
 * throws one {@link ConfigError} listing every problem as `<file>: <key.path>: <reason>`, and nothing is built.
 * The `SYNTH_ENVS` variable (comma-separated names) limits which environments get stacks; all are still validated.
 *
 * @param scope usually the cdktf `App`
 * @param dir the values directory, relative to the working directory
 * @returns the stacks of each environment, in environment-name order
 * @throws ConfigError when any values file is missing, malformed or invalid
 */
export function createEnvironmentsFromDir(scope: Construct, dir = 'environments'): EnvironmentStacks[] {
  return loadEnvironments({ dir }).map((config) => createEnvironmentStacks(scope, config));
}
