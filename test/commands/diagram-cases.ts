/**
 * The environments the diagram tests draw: the shipped ones, and each strategy on each cloud (values edited from the
 * shipped files, then loaded and validated like any environment).
 */
import { parseDocument } from 'yaml';
import { EnvironmentConfig, loadEnvironments } from '../../lib/config';
import { envDir, shipped } from '../support/env-dir';

/** One environment to draw. */
export interface DiagramCase {
  /** Test name. */
  readonly name: string;
  /** The validated values. */
  readonly config: EnvironmentConfig;
}

/** The shipped values file with each key path set (comments kept). */
function edit(file: string, values: ReadonlyArray<readonly [ReadonlyArray<string | number>, unknown]>): string {
  const doc = parseDocument(shipped(file));
  for (const [keyPath, value] of values) doc.setIn([...keyPath], value);
  return doc.toString();
}

function load(
  env: string,
  file: string,
  values: ReadonlyArray<readonly [ReadonlyArray<string | number>, unknown]>,
): EnvironmentConfig {
  const [config] = loadEnvironments({ dir: envDir({ [file]: edit(file, values) }), only: [env] });
  return config;
}

const traffic = (blue: number, green: number, strategy: string) =>
  [
    [['traffic', 'blue'], blue],
    [['traffic', 'green'], green],
    [['traffic', 'strategy'], strategy],
  ] as const;

/** Every strategy on AWS (prod, with a VPN; staging) and DigitalOcean (dev: blue-green and hard-cutover; it refuses canary and rolling), plus a canary split and a DigitalOcean join step. */
export function diagramCases(): DiagramCase[] {
  return [
    { name: 'aws blue-green, green live', config: load('prod', 'prod.yaml', traffic(0, 100, 'blue-green')) },
    { name: 'aws blue-green, blue live', config: load('prod', 'prod.yaml', traffic(100, 0, 'blue-green')) },
    { name: 'aws canary 90/10', config: load('prod', 'prod.yaml', traffic(90, 10, 'canary')) },
    { name: 'aws canary 10/90', config: load('prod', 'prod.yaml', traffic(10, 90, 'canary')) },
    { name: 'aws hard-cutover', config: load('prod', 'prod.yaml', traffic(0, 100, 'hard-cutover')) },
    { name: 'aws rolling', config: load('prod', 'prod.yaml', traffic(100, 0, 'rolling')) },
    { name: 'aws staging (shipped)', config: loadEnvironments({ dir: envDir(), only: ['staging'] })[0] },
    { name: 'digitalocean blue-green, blue live', config: load('dev', 'dev.yaml', traffic(100, 0, 'blue-green')) },
    { name: 'digitalocean blue-green, green live', config: load('dev', 'dev.yaml', traffic(0, 100, 'blue-green')) },
    { name: 'digitalocean hard-cutover', config: load('dev', 'dev.yaml', traffic(100, 0, 'hard-cutover')) },
    {
      name: 'digitalocean join step',
      config: load('dev', 'dev.yaml', [
        ...traffic(100, 0, 'blue-green'),
        [['digitalocean', 'cutoverJoining'], 'green'],
      ]),
    },
  ];
}
