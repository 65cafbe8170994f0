// createEnvironmentsFromDir: the one call a main.ts needs. Every environment of a values directory becomes its four
// stacks; any invalid file stops everything before the first stack exists.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { ConfigError } from '../../lib/config';
import { createEnvironmentsFromDir } from '../../stacks/environments-from-dir';
import { edited, envDir } from '../support/env-dir';

/** An app whose output directory is a fresh temp dir (nothing here synthesizes; local backends are computed from it). */
const newApp = () => new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'bg-from-dir-')) });

describe('createEnvironmentsFromDir', () => {
  const saved = process.env.SYNTH_ENVS;
  beforeEach(() => delete process.env.SYNTH_ENVS);
  afterAll(() => {
    if (saved === undefined) delete process.env.SYNTH_ENVS;
    else process.env.SYNTH_ENVS = saved;
  });

  test('creates the four stacks of every environment, in environment-name order', () => {
    const app = newApp();
    const created = createEnvironmentsFromDir(app, envDir());
    expect(created.map((e) => e.shared.config.name)).toEqual(['dev', 'prod', 'staging']);
    for (const env of created) {
      const name = env.shared.config.name;
      expect([env.shared, env.blue, env.green, env.cutover].map((s) => s.node.id)).toEqual([
        `${name}-shared`,
        `${name}-blue`,
        `${name}-green`,
        `${name}-cutover`,
      ]);
    }
    expect(app.node.children).toHaveLength(12);
  });

  test('honours SYNTH_ENVS for which environments get stacks', () => {
    process.env.SYNTH_ENVS = 'staging';
    const app = newApp();
    expect(createEnvironmentsFromDir(app, envDir()).map((e) => e.shared.config.name)).toEqual(['staging']);
    expect(app.node.children.map((c) => c.node.id).sort()).toEqual([
      'staging-blue',
      'staging-cutover',
      'staging-green',
      'staging-shared',
    ]);
  });

  test('fails with a ConfigError naming file, key path and reason, and creates no stack', () => {
    const app = newApp();
    const dir = envDir({ 'staging.yaml': edited('staging.yaml', /^cloud: .*$/m, 'cloud: gcp') });
    let error: unknown;
    try {
      createEnvironmentsFromDir(app, dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /staging\.yaml: cloud: must be one of aws, digitalocean \(got "gcp"\)/,
    );
    expect(app.node.children).toHaveLength(0);
  });

  test('fails when the directory does not exist, naming it', () => {
    expect(() => createEnvironmentsFromDir(newApp(), '/nonexistent/values')).toThrow(
      /\/nonexistent\/values: environments directory not found/,
    );
  });
});
