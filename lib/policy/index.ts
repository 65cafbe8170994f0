/** Guardrail rules (one per file) and the pack that applies them. Re-exports only. */
export {};
