/** AWS constructs. Re-exports only: one construct per file. */
export * from './log-bucket';
export * from './log-encryption-key';
export * from './network';
