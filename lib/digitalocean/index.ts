/** DigitalOcean constructs. Re-exports only: one construct per file. */
export * from './certificate-check';
export * from './deployment-bucket';
export * from './host-record';
export * from './lb-ingress-firewall';
export * from './load-balancer';
export * from './log-store';
export * from './log-store-lookup';
export * from './network';
export * from './project';
export * from './shared-lookup';
export * from './droplet-fleet';
export * from './fleet-firewall';
export * from './fleet-tags';
export * from './load-balancer-join';
export * from './ssh-key-check';
export * from './tag-names';
export * from './deprecated';
