/**
 * cdktf-bluegreen: blue/green releases on AWS and DigitalOcean with CDK for Terraform.
 *
 * This file only re-exports; each area has its own index (`./config`, `./aws`, ...). The command back-ends
 * (`./commands`: S3 client, Terraform and git runners) are left out of the root so that importing the constructs
 * stays light on the synth path; import them from `cdktf-bluegreen/commands`.
 */
export * from './config';
export * from './aws';
export * from './digitalocean';
// Names both clouds define are AWS's at the root (as in 0.1); each cloud's full set is its namespace below, or its
// subpath (`cdktf-bluegreen/aws`, `cdktf-bluegreen/digitalocean`).
export { LogStore, LogStoreProps, Network, NetworkProps, SharedLookup, SharedLookupProps } from './aws';
/** The AWS constructs, as one namespace: `aws.Network`, `aws.LogStore`. */
export * as aws from './aws';
/** The DigitalOcean constructs, as one namespace: `digitalocean.Network`, `digitalocean.LoadBalancer`. */
export * as digitalocean from './digitalocean';
export * from './agents';
export * from './policy';
export * from './token-traces';
export * from './construct-errors';
export * from './escape-template-literals';
export * from './construct-ids';

// Stacks and their contract (stack names, outputs, published values)
export * from '../stacks/contract';
export * from '../stacks/environment-stack';
export * from '../stacks/environment-stacks';
export * from '../stacks/environments-from-dir';
export * from '../stacks/aws/aws-shared-stack';
export * from '../stacks/aws/aws-color-stack';
export * from '../stacks/aws/aws-cutover-stack';
export * from '../stacks/digitalocean/do-shared-stack';
export * from '../stacks/digitalocean/do-color-stack';
export * from '../stacks/digitalocean/do-cutover-stack';
