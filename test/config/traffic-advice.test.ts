// Every refusal of the traffic rules (weights, strategy, canary, test listener pin, capacity) ends with
// `fix: set <key.path>: <value> [and ...], or ...`. These tests read that advice from the message, apply each
// alternative literally to the values file the message names, and load the values again: each must be accepted.
// A 50/50 canary (issue #18: refused, and the suggested fix refused too) is among them, through the cutover command.
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseDocument } from 'yaml';
import { ConfigError, formatIssue, loadEnvironments } from '../../lib/config';
import { cutoverMain } from '../../lib/commands/cutover';
import { envDir, shipped } from '../support/env-dir';

type Edit = [Array<string | number>, unknown];

/** The shipped file with the given keys set (`undefined` deletes), comments kept. */
function withValues(file: string, edits: Edit[]): string {
  const doc = parseDocument(shipped(file));
  for (const [keyPath, value] of edits) {
    if (value === undefined) doc.deleteIn(keyPath);
    else doc.setIn(keyPath, value);
  }
  return doc.toString();
}

/** The problems loading `dir` reports (empty when it loads), as `file: key.path: message` lines. */
function problemsIn(dir: string): string[] {
  try {
    loadEnvironments({ dir });
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.issues.map(formatIssue);
  }
}

/** One step of advice: set a key path to a value, or remove it. */
interface Step {
  readonly keyPath: string[];
  readonly value?: unknown;
}

/** Reads the alternatives after `fix: ` in a message; each is a list of steps. Fails when there is no advice. */
function adviceIn(line: string): Step[][] {
  const at = line.lastIndexOf('; fix: ');
  if (at < 0) throw new Error(`no "fix:" advice in: ${line}`);
  return line
    .slice(at + '; fix: '.length)
    .split(', or ')
    .map((alternative) =>
      alternative.split(' and ').map((step) => {
        const set = /^set ([\w.]+): (.+)$/.exec(step);
        if (set) return { keyPath: set[1].split('.'), value: parse(set[2]) };
        const remove = /^remove ([\w.]+)$/.exec(step);
        if (remove) return { keyPath: remove[1].split('.') };
        throw new Error(`cannot read the step "${step}" in: ${line}`);
      }),
    );
}

/** Applies the advice literally to the file the problem line names, in a copy of `dir`; returns the copy. */
function applied(dir: string, line: string, steps: Step[]): string {
  const copy = envDir(
    Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')])),
  );
  const file = path.join(copy, path.basename(line.slice(0, line.indexOf(': '))));
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  for (const step of steps) {
    if (step.value === undefined) doc.deleteIn(step.keyPath);
    else doc.setIn(step.keyPath, step.value);
  }
  fs.writeFileSync(file, doc.toString());
  return copy;
}

const CASES: Array<[string, string, Edit[], RegExp]> = [
  [
    'a 50/50 split under blue-green',
    'prod.yaml',
    [
      [['traffic', 'blue'], 50],
      [['traffic', 'green'], 50],
    ],
    /blue at 50% splits traffic, which only strategy canary allows \(strategy is blue-green\)/,
  ],
  [
    'a 90/10 split under hard-cutover',
    'prod.yaml',
    [
      [['traffic', 'strategy'], 'hard-cutover'],
      [['traffic', 'blue'], 10],
      [['traffic', 'green'], 90],
    ],
    /blue at 10% splits traffic/,
  ],
  [
    'a 90/10 split under rolling with a pin on the live color',
    'prod.yaml',
    [
      [['traffic', 'strategy'], 'rolling'],
      [['traffic', 'blue'], 10],
      [['traffic', 'green'], 90],
      [['loadBalancer', 'testListener', 'color'], 'green'],
    ],
    /green at 90% splits traffic/,
  ],
  [
    'a 50/50 canary without a pin',
    'prod.yaml',
    [
      [['traffic', 'strategy'], 'canary'],
      [['traffic', 'blue'], 50],
      [['traffic', 'green'], 50],
    ],
    /both colors carry 50% of traffic, so neither is the new one/,
  ],
  [
    'a 90/10 canary pinned to the 90% color',
    'staging.yaml',
    [
      [['traffic', 'strategy'], 'canary'],
      [['traffic', 'blue'], 90],
      [['traffic', 'green'], 10],
      [['loadBalancer', 'testListener', 'color'], 'blue'],
    ],
    /the test listener would point at blue, the live color \(90% of traffic\)/,
  ],
  [
    'a pin on the live color under blue-green',
    'prod.yaml',
    [[['loadBalancer', 'testListener', 'color'], 'green']],
    /the test listener would point at green, the live color \(100% of traffic\)/,
  ],
  [
    'a pin under hard-cutover',
    'prod.yaml',
    [
      [['traffic', 'strategy'], 'hard-cutover'],
      [['loadBalancer', 'testListener', 'color'], 'blue'],
    ],
    /strategy hard-cutover has no test listener to pin/,
  ],
  ['both colors at 0', 'prod.yaml', [[['traffic', 'green'], 0]], /both colors have weight 0/],
  ['weights summing to 150', 'prod.yaml', [[['traffic', 'blue'], 50]], /weights must sum to 100 \(got 150\)/],
  [
    'a canary summing to 110 whose first correction would be an even split',
    'prod.yaml',
    [
      [['traffic', 'strategy'], 'canary'],
      [['traffic', 'blue'], 50],
      [['traffic', 'green'], 60],
    ],
    /weights must sum to 100 \(got 110\)/,
  ],
  [
    'traffic to a color scaled to 0',
    'prod.yaml',
    [[['colors', 'green', 'capacity'], { min: 0, max: 0, desired: 0 }]],
    /green would get 100% of traffic but colors\.green\.capacity\.desired is 0/,
  ],
  [
    'a canary on DigitalOcean',
    'dev.yaml',
    [[['traffic'], { blue: 90, green: 10, strategy: 'canary' }]],
    /canary needs a weighted split, which DigitalOcean load balancers cannot do/,
  ],
  [
    'a 50/50 split on DigitalOcean',
    'dev.yaml',
    [
      [['traffic', 'blue'], 50],
      [['traffic', 'green'], 50],
    ],
    /weights must be 0 and 100 on DigitalOcean/,
  ],
  [
    'rolling on DigitalOcean',
    'dev.yaml',
    [[['traffic', 'strategy'], 'rolling']],
    /rolling replaces the live color in place/,
  ],
];

describe('traffic rules: every refusal says how to fix it, and that fix is accepted', () => {
  test.each(CASES)('%s: each suggested fix, applied literally, is accepted', (_name, file, edits, expected) => {
    const dir = envDir({ [file]: withValues(file, edits) });
    const lines = problemsIn(dir);
    expect(lines.join('\n')).toMatch(expected);
    for (const line of lines) {
      const alternatives = adviceIn(line);
      expect(alternatives.length).toBeGreaterThan(0);
      for (const steps of alternatives)
        expect({ line, steps, after: problemsIn(applied(dir, line, steps)) }).toEqual({ line, steps, after: [] });
    }
  });

  test('a 50/50 canary is accepted with the test listener pinned to the color being brought in, and refused otherwise', () => {
    const even: Edit[] = [
      [['traffic', 'strategy'], 'canary'],
      [['traffic', 'blue'], 50],
      [['traffic', 'green'], 50],
    ];
    for (const color of ['blue', 'green']) {
      const [prod] = loadEnvironments({
        dir: envDir({
          'prod.yaml': withValues('prod.yaml', [...even, [['loadBalancer', 'testListener', 'color'], color]]),
        }),
        only: ['prod'],
      });
      expect(prod.traffic).toMatchObject({ blue: 50, green: 50, strategy: 'canary' });
    }
    expect(problemsIn(envDir({ 'prod.yaml': withValues('prod.yaml', even) }))).toHaveLength(1);
  });

  test('the cutover command: a 50/50 canary refused with advice, the advice applied, the same command then succeeds', () => {
    const dir = envDir({ 'prod.yaml': withValues('prod.yaml', [[['traffic', 'strategy'], 'canary']]) });
    const run = () => {
      let out = '';
      let err = '';
      const code = cutoverMain(['prod', 'blue', '--weight', '50', '--dir', dir], {
        stdout: (t) => (out += t),
        stderr: (t) => (err += t),
      });
      return { code, out, err };
    };
    const refused = run();
    expect(refused.code).toBe(1);
    const line = refused.err
      .split('\n')
      .find((l) => l.includes('; fix: '))!
      .trim();
    expect(line).toContain(
      `${path.join(dir, 'prod.yaml')}: traffic: environment prod: both colors carry 50% of traffic`,
    );
    expect(line).toMatch(
      /fix: set loadBalancer\.testListener\.color: blue, or set loadBalancer\.testListener\.color: green$/,
    );
    // the first alternative (blue: the color this cutover brings in), applied to the file as written
    const file = path.join(dir, 'prod.yaml');
    const doc = parseDocument(fs.readFileSync(file, 'utf8'));
    for (const step of adviceIn(line)[0]) doc.setIn(step.keyPath, step.value);
    fs.writeFileSync(file, doc.toString());
    const accepted = run();
    expect(accepted).toMatchObject({ code: 0, err: '' });
    expect(accepted.out).toContain('traffic blue 0% / green 100% -> blue 50% / green 50% (strategy canary)');
  });
});
