/** DigitalOcean constructs. Re-exports only: one construct per file. */
export * from './certificate-check';
export * from './deployment-bucket';
export * from './do-host-record';
export * from './do-lb-ingress-firewall';
export * from './do-load-balancer';
export * from './do-log-store';
export * from './do-log-store-lookup';
export * from './do-network';
export * from './do-project';
export * from './do-shared-lookup';
export * from './droplet-fleet';
export * from './fleet-firewall';
export * from './fleet-tags';
export * from './load-balancer-join';
export * from './ssh-key-check';
export * from './tag-names';
