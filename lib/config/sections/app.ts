/**
 * The `app` section: what the fleets run and how the load balancer checks it.
 */
import { z } from 'zod';
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
    instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type such as t3.small').optional(),
    /** Droplet size slug (DigitalOcean). */
    dropletSize: z.string().regex(/^[a-z0-9-]+$/, 'must be a droplet size slug such as s-1vcpu-2gb').optional(),
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
