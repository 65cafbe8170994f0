/**
 * Release consistency: a color's version, machine image and artifact digest change together, or the diff flags
 * it (a new version number over the old build, or a new build under the old number); and a release its values
 * declare incompatible with the previous one (`migration: { compatibleWithPrevious: false }`) is flagged.
 *
 * Read from the color stacks as synthesized: on AWS the release parameter (`/<app>/<env>/<color>/release`, a JSON
 * document with version, image and artifact); on DigitalOcean the `release_version` output and the droplets' image.
 */
import { readResources } from '../policy/stack-view';
import { COLOR_OUTPUTS } from '../../stacks/contract';
import { isObject, Risk, stackRole } from './diff-model';
import { StackJson } from './synth-output';

/** What a color stack says it runs. */
export interface ReleaseFacts {
  /** `version`. */
  readonly version?: string;
  /** Machine image (AMI id or droplet image). */
  readonly image?: string;
  /** Artifact pinned by digest, when the release has one. */
  readonly artifact?: string;
  /** The release's `migration` declaration, when the stack carries one. */
  readonly migration?: unknown;
}

/** The release facts of a color stack. */
export function releaseFacts(tf: StackJson | undefined): ReleaseFacts {
  if (!tf) return {};
  const facts: Record<string, unknown> = {};
  const outputs = isObject(tf.output) ? tf.output : {};
  const version = isObject(outputs[COLOR_OUTPUTS.releaseVersion])
    ? (outputs[COLOR_OUTPUTS.releaseVersion] as Record<string, unknown>).value
    : undefined;
  if (typeof version === 'string') facts.version = version;
  for (const r of readResources(tf)) {
    if (r.type === 'aws_ssm_parameter' && typeof r.config.name === 'string' && /\/release$/.test(r.config.name)) {
      try {
        const doc = JSON.parse(String(r.config.insecure_value ?? r.config.value)) as Record<string, unknown>;
        for (const key of ['version', 'image', 'artifact', 'migration'])
          if (doc[key] !== undefined) facts[key] = doc[key];
      } catch {
        // not a release document
      }
    }
    if (r.type === 'digitalocean_droplet' && r.config.image !== undefined && facts.image === undefined)
      facts.image = String(r.config.image);
  }
  return facts as ReleaseFacts;
}

/** The `migration` declaration of a color in an environment's merged values, if any. */
function declaredMigration(values: unknown, color: string): unknown {
  const colors = isObject(values) && isObject(values.colors) ? values.colors : {};
  const c = isObject(colors[color]) ? colors[color] : {};
  const release = isObject(c.release) ? c.release : {};
  return release.migration ?? c.migration;
}

/** Release risks of every color stack that exists on both sides. `headValues`: merged values per environment. */
export function releaseRisks(
  base: ReadonlyMap<string, StackJson>,
  head: ReadonlyMap<string, StackJson>,
  headValues?: ReadonlyMap<string, unknown>,
): Risk[] {
  const risks: Risk[] = [];
  for (const [stack, tf] of head) {
    const { env, role } = stackRole(stack);
    if (role !== 'blue' && role !== 'green') continue;
    const before = releaseFacts(base.get(stack));
    const after = releaseFacts(tf);
    if (!base.has(stack)) continue;
    const fields = (['version', 'image', 'artifact'] as const).filter(
      (f) => before[f] !== undefined || after[f] !== undefined,
    );
    const changed = fields.filter((f) => before[f] !== after[f]);
    if (changed.length > 0 && changed.length < fields.length) {
      const kept = fields.filter((f) => !changed.includes(f));
      const what = changed.includes('version')
        ? `the version changes (${before.version} → ${after.version}) but the ${kept.join(' and ')} do${kept.length === 1 ? 'es' : ''} not: the old build ships under the new version number`
        : `the ${changed.join(' and ')} change${changed.length === 1 ? 's' : ''} but the version stays ${after.version ?? 'unset'}: a new build under the old version number`;
      risks.push({
        kind: 'release-mismatch',
        stack,
        message: `${role} release: ${what}. Change version, image and artifact together`,
      });
    }
    const migration = after.migration ?? declaredMigration(headValues?.get(env), role);
    const compatible = isObject(migration) ? migration.compatibleWithPrevious : undefined;
    if (compatible === false && (changed.length > 0 || before.version === undefined)) {
      risks.push({
        kind: 'release-incompatible',
        stack,
        message: `${role} release ${after.version ?? ''} is declared incompatible with the previous one (migration.compatibleWithPrevious: false): the colors cannot serve side by side, so no weighted cutover; plan a hard cutover${before.version ? ` from ${before.version}` : ''} and its rollback`,
      });
    }
  }
  return risks;
}
