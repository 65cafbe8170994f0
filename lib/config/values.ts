import { z } from 'zod';
import { environmentSchema } from './schema';

/**
 * One environment's values as written, before validation and defaults: the shape of `environments/<name>.yaml`
 * overlaid on `defaults.yaml`. Type values built in code with it (`{ ... } satisfies EnvironmentValues`) and pass
 * them to {@link parseEnvironment} to get the validated {@link EnvironmentConfig} the stacks take.
 */
export type EnvironmentValues = z.input<typeof environmentSchema>;
