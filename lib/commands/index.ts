/** Library functions behind the command-line tools (bin/). Re-exports only. */
export {};
