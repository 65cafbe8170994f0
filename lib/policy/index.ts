/** Guardrails: one rule per file, the pack that applies them, and suppressions with reasons. */
export * from './enforce';
export * from './ingress';
export * from './key-policy';
export * from './pack';
export * from './rule';
export * from './rules';
export * from './s3-companions';
export * from './stack-view';
export * from './suppression';
