/** DigitalOcean constructs. Re-exports only: one construct per file. */
export {};
