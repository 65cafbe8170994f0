/**
 * The `app` section: what the fleets run and how the load balancer checks it.
 */
import { z } from 'zod';
import { AWS_NAME_RULES, describeNameProblem, ENVIRONMENT_NAMES } from '../../aws/aws-names';
import { ConfigIssue } from '../errors';
import { port, report, slug } from './common';

/** Application values. */
export const appSchema = z
  .object({
    /** Application name, used in resource names and tags. */
    name: slug(24),
    /** Port the application listens on, on each server. */
    port: port,
    /** Path the load balancer's health check requests. */
    healthCheckPath: z.string().regex(/^\/[\w\-./~%?=&]*$/, 'must be an absolute URL path such as /health'),
    /** EC2 instance type (AWS). */
    instanceType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type such as t3.small')
      .optional(),
    /** Droplet size slug (DigitalOcean). */
    dropletSize: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'must be a droplet size slug such as s-1vcpu-2gb')
      .optional(),
  })
  .strict();

/** Application values after parsing. */
export type AppValues = z.infer<typeof appSchema>;

/** The size key each cloud needs: `instanceType` on AWS, `dropletSize` on DigitalOcean. */
export function checkApp(cloud: string, app: AppValues, ctx: z.RefinementCtx): void {
  if (cloud === 'aws') {
    if (!app.instanceType) report(ctx, ['app', 'instanceType'], 'required on AWS (e.g. t3.small)');
    if (app.dropletSize) report(ctx, ['app', 'dropletSize'], 'is DigitalOcean-only; use app.instanceType on AWS');
  } else {
    if (!app.dropletSize) report(ctx, ['app', 'dropletSize'], 'required on DigitalOcean (e.g. s-1vcpu-2gb)');
    if (app.instanceType) report(ctx, ['app', 'instanceType'], 'is AWS-only; use app.dropletSize on DigitalOcean');
  }
}

/** Stand-ins for the other half of `<app>-<env>` when finding which key makes a derived name invalid. */
const NEUTRAL = { app: 'app', env: 'env' };

/**
 * AWS naming rules for every name the library derives from `app.name` and the environment `name`
 * (`<app>-<env>-deployment-records`, the load balancer `<app>-<env>`, the ECR repository `<app>/<env>`, ...),
 * and for the `tags`. A problem is reported at the key that causes it: `app.name` or `name` when that key alone
 * breaks a rule (e.g. an app name `internal-x`: the load balancer name would begin with `internal-`), `name` when
 * only the combination does (too long); once per key and kind of name, with the rule and its AWS source.
 */
export function checkAwsNames(
  cloud: string,
  env: string,
  app: string,
  tags: Readonly<Record<string, string>>,
  ctx: z.RefinementCtx,
): void {
  if (cloud !== 'aws') return;
  const reported = new Set<string>();
  const once = (path: string[], kind: string, message: string) => {
    const key = `${path.join('.')} ${kind}`;
    if (!reported.has(key)) report(ctx, path, message);
    reported.add(key);
  };
  for (const { rule, derive } of ENVIRONMENT_NAMES) {
    const problem = describeNameProblem(rule, derive(app, env));
    if (!problem) continue;
    const byApp = describeNameProblem(rule, derive(app, NEUTRAL.env)) !== undefined;
    const byEnv = describeNameProblem(rule, derive(NEUTRAL.app, env)) !== undefined;
    if (byApp) once(['app', 'name'], rule.kind, `"${app}" makes the ${problem}`);
    if (byEnv) once(['name'], rule.kind, `"${env}" makes the ${problem}`);
    if (!byApp && !byEnv) once(['name'], rule.kind, `"${env}" with app.name "${app}" makes the ${problem}`);
  }
  for (const [key, value] of Object.entries(tags)) {
    const keyProblem = describeNameProblem(AWS_NAME_RULES.tagKey, key);
    if (keyProblem) once(['tags', key], 'key', `refused: the ${keyProblem}`);
    const valueProblem = describeNameProblem(AWS_NAME_RULES.tagValue, value);
    const template = /[$%]\{/.test(value) ? ' (`${` and `%{` would also read as Terraform template syntax)' : '';
    if (valueProblem) once(['tags', key], 'value', `refused: the ${valueProblem}${template}`);
  }
}

/** One environment's values as the cross-environment name check reads them. */
export interface NamedEnvironment {
  /** The values file, for the error. */
  readonly file: string;
  /** The environment's validated values. */
  readonly config: { readonly name: string; readonly cloud: string; readonly app: { readonly name: string } };
}

/**
 * AWS resource names start with `<app>-<env>` (e.g. `shop-prod-access-logs`), so two environments whose prefixes
 * are equal (app `shop` with environment `qa-x`, and app `shop-qa` with environment `x`) would name every bucket,
 * role and log group alike. Reported at the later file's `name`, naming the other file; the
 * `unique-physical-names` guardrail would otherwise be the first to notice, at synth, naming only construct paths.
 */
export function checkAwsPrefixesAcrossEnvironments(envs: readonly NamedEnvironment[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, NamedEnvironment>();
  for (const env of envs.filter((e) => e.config.cloud === 'aws')) {
    const prefix = `${env.config.app.name}-${env.config.name}`;
    const other = seen.get(prefix);
    if (other) {
      issues.push({
        file: env.file,
        path: ['name'],
        message:
          `with app.name "${env.config.app.name}" makes the resource name prefix "${prefix}", which environment "${other.config.name}" ` +
          `(${other.file}, app.name "${other.config.app.name}") makes too: every bucket, role and log group would be named alike; rename one environment or app`,
      });
    } else {
      seen.set(prefix, env);
    }
  }
  return issues;
}
