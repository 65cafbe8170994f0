/**
 * Synth speed: cdktf records a full stack trace each time it creates a token (every attribute reference),
 * only to say where a token was made if it later fails to resolve. On a 200-stack app that is about a quarter of
 * synth time. {@link skipTokenCreationTraces} turns those traces off while keeping every real error's stack.
 */

let installed = false;

/**
 * Stops cdktf from recording token creation traces in this process (real `Error` stacks are untouched).
 * The synth output is identical; only the "token created at" lines of a failed token resolution are lost.
 * Set `CDKTF_TOKEN_TRACES=1` to keep them while debugging such a failure.
 *
 * @returns whether traces are now skipped
 */
export function skipTokenCreationTraces(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.CDKTF_TOKEN_TRACES === '1') return false;
  if (installed) return true;
  const previous = Error.prepareStackTrace;
  // cdktf captures creation traces into plain objects (`{ stack: '' }`), never into Error instances: those
  // get an empty trace; everything else is formatted as before.
  Error.prepareStackTrace = (target: unknown, frames: NodeJS.CallSite[]) => {
    if (!(target instanceof Error)) return '';
    if (previous) return previous(target, frames);
    const head = `${target.name}${target.message ? `: ${target.message}` : ''}`;
    return [head, ...frames.map((f) => `    at ${f.toString()}`)].join('\n');
  };
  // The prepareStackTrace hook above makes the traces empty, but V8 still walks and records every frame (cdktf asks
  // for an unlimited depth). Replacing cdktf's capture function skips that walk; it is read at each call, so this
  // takes effect for every token made from now on. A cdktf without that module keeps the hook alone.
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const traces = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: () => string[] };
    traces.captureStackTrace = () => [];
  } catch {
    // cdktf moved the module: the prepareStackTrace hook still empties the traces.
  }
  installed = true;
  return true;
}
