/** AWS constructs. Re-exports only: one construct per file. */
export * from './log-bucket';
export * from './log-encryption-key';
export * from './network';
export * from './app-load-balancer';
export * from './aws-names';
export * from './color-fleet';
export * from './cutover-listeners';
export * from './tls-certificate';
export * from './archive-bucket';
export * from './release-registry';
export * from './release-parameter';
export * from './site-to-site-vpn';
export * from './log-store';
export * from './log-metrics';
export * from './bucket-policy';
export * from './shared-parameters';
