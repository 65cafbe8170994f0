// package.json as a library manifest: one export per area index, types for classic and node16 resolution, the
// framework and providers as peer dependencies (also installed here, at versions inside the ranges), a build on pack.
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const AREAS = fs
  .readdirSync(path.join(ROOT, 'lib'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && fs.existsSync(path.join(ROOT, 'lib', e.name, 'index.ts')))
  .map((e) => e.name)
  .sort();

/** `[major, minor, patch]` of a plain version. */
const parts = (v: string): number[] => v.split('.').map(Number);

/** Whether `version` satisfies a caret range `^X.Y.Z` (the only form used for peers here). */
function satisfiesCaret(version: string, range: string): boolean {
  const [want, have] = [parts(range.slice(1)), parts(version)];
  const lockIndex = want[0] > 0 ? 0 : want[1] > 0 ? 1 : 2; // ^0.21.0 locks the minor
  for (let i = 0; i <= lockIndex; i++) if (have[i] !== want[i]) return false;
  for (let i = lockIndex + 1; i < 3; i++) if (have[i] !== want[i]) return have[i] > want[i];
  return true;
}

describe('package.json', () => {
  test('exports the root and one subpath per lib/<area>/index.ts, each with types', () => {
    expect(AREAS).toEqual(expect.arrayContaining(['aws', 'config', 'digitalocean']));
    // Area subpaths map to { types, default }; a plain file export (the loader, ./register) is not an area.
    const subpaths = Object.keys(PKG.exports).filter(
      (k) => k !== '.' && k !== './package.json' && typeof PKG.exports[k] !== 'string',
    );
    expect(subpaths.sort()).toEqual(AREAS.map((a) => `./${a}`));
    expect(PKG.exports['.']).toEqual({ types: './dist/lib/index.d.ts', default: './dist/lib/index.js' });
    for (const area of AREAS) {
      expect(PKG.exports[`./${area}`]).toEqual({
        types: `./dist/lib/${area}/index.d.ts`,
        default: `./dist/lib/${area}/index.js`,
      });
    }
    expect([PKG.main, PKG.types]).toEqual(['dist/lib/index.js', 'dist/lib/index.d.ts']);
  });

  test('typesVersions maps the same subpaths for classic node resolution (cdktf project template)', () => {
    expect(PKG.typesVersions['*']).toEqual(Object.fromEntries(AREAS.map((a) => [a, [`dist/lib/${a}/index.d.ts`]])));
  });

  test('cdktf, constructs and both providers are peer dependencies, pinned here as dev dependencies inside the ranges', () => {
    const peers = PKG.peerDependencies as Record<string, string>;
    expect(Object.keys(peers).sort()).toEqual([
      '@cdktf/provider-aws',
      '@cdktf/provider-digitalocean',
      'cdktf',
      'constructs',
    ]);
    for (const [name, range] of Object.entries(peers)) {
      expect({ name, range }).toEqual({ name, range: expect.stringMatching(/^\^\d+\.\d+\.\d+$/) });
      const pinned = PKG.devDependencies[name];
      expect({ name, pinned, inRange: pinned !== undefined && satisfiesCaret(pinned, range) }).toEqual({
        name,
        pinned,
        inRange: true,
      });
      expect(PKG.dependencies?.[name]).toBeUndefined();
      const installed = JSON.parse(
        fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8'),
      ).version;
      expect({ name, installed }).toEqual({ name, installed: pinned });
    }
  });

  test('README.md states the peer dependency ranges package.json declares', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const [name, range] of Object.entries<string>(PKG.peerDependencies)) {
      expect({ name, stated: readme.includes(`\`${name}\` \`${range}\``) }).toEqual({ name, stated: true });
    }
  });

  test('the caret check used above rejects versions outside a range', () => {
    expect(satisfiesCaret('0.21.3', '^0.21.0')).toBe(true);
    expect(satisfiesCaret('0.22.0', '^0.21.0')).toBe(false);
    expect(satisfiesCaret('21.21.0', '^21.22.1')).toBe(false);
    expect(satisfiesCaret('22.0.0', '^21.22.1')).toBe(false);
    expect(satisfiesCaret('21.30.0', '^21.22.1')).toBe(true);
  });

  test('npm pack builds first and ships only the compiled output plus the docs', () => {
    expect(PKG.scripts.prepack).toBe('npm run build');
    expect(PKG.scripts.build).toMatch(/tsc -p tsconfig\.build\.json/);
    // Plus the one command entry (`npx cdktf-bluegreen`, which runs the compiled dist/) and the exported loader
    // (`cdktf-bluegreen/register`, for a consumer's cdktf.json app command).
    const exported = Object.values(PKG.exports as Record<string, unknown>).filter(
      (v): v is string => typeof v === 'string',
    );
    const direct = [...Object.values(PKG.bin as Record<string, string>), ...exported].map((f) =>
      f.replace(/^\.\//, ''),
    );
    // ... and the files those entries load themselves (the loader's bundler, bin/app-bundle.js).
    const loaded = direct
      .filter((f) => f.endsWith('.js') && fs.existsSync(path.join(ROOT, f)))
      .flatMap((f) =>
        [...fs.readFileSync(path.join(ROOT, f), 'utf8').matchAll(/require\('(\.\/[\w./-]+\.js)'\)/g)].map((m) =>
          path.join(path.dirname(f), m[1]),
        ),
      );
    const entries = [...direct, ...loaded];
    expect(loaded).toContain('bin/app-bundle.js');
    expect(
      PKG.files.every(
        (f: string) => f.startsWith('dist/') || entries.includes(f) || /^(CHANGELOG|README|LICENSE)/.test(f),
      ),
    ).toBe(true);
    expect(PKG.private).not.toBe(true);
  });
});
