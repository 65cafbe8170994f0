// Every symbol the package exports carries TSDoc: a summary on each export and on each public member of exported
// classes and interfaces, and `@default` on every optional prop. Read with the TypeScript compiler API from
// lib/index.ts (the package's `exports["."]`, which holds every area) and lib/commands/index.ts (`./commands`,
// kept out of the root).
import * as path from 'path';
import { checkTsdoc, formatFindings, TsdocReport } from '../support/tsdoc';

const ROOT = path.resolve(__dirname, '../..');

describe('TSDoc on the public API (lib/index.ts and lib/commands/index.ts)', () => {
  let api: TsdocReport;
  beforeAll(() => {
    api = checkTsdoc(
      [path.join(ROOT, 'lib/index.ts'), path.join(ROOT, 'lib/commands/index.ts')],
      path.join(ROOT, 'tsconfig.build.json'),
    );
  });

  test('lib/index.ts exports the high-level entry points, the values schema and the constructs', () => {
    expect(api.exported).toEqual(
      expect.arrayContaining([
        'createEnvironmentStacks',
        'createEnvironmentsFromDir',
        'parseEnvironment',
        'loadEnvironments',
        'environmentValidator',
        'ConfigError',
        'LogBucket',
      ]),
    );
  });

  test('every exported symbol has a TSDoc summary', () => {
    expect(formatFindings(api.noSummary)).toBe('');
  });

  test('every public member of an exported class or interface has a TSDoc summary', () => {
    expect(formatFindings(api.memberNoSummary)).toBe('');
  });

  test('every optional prop of an exported *Props or *Options interface documents its @default', () => {
    expect(formatFindings(api.noDefault)).toBe('');
  });

  test('every type named in a public signature is exported too, so consumers can name it', () => {
    expect(formatFindings(api.unexported)).toBe('');
  });
});

describe('the TSDoc check itself', () => {
  let fixture: TsdocReport;
  beforeAll(() => {
    fixture = checkTsdoc([path.join(__dirname, 'fixtures/undocumented.ts')], path.join(ROOT, 'tsconfig.build.json'));
  });

  test('fails on an export without a summary', () => {
    expect(fixture.noSummary.map((f) => f.name).sort()).toEqual(['BareProps', 'undocumentedFunction']);
  });

  test('fails on a public member without a summary, not on private ones', () => {
    expect(fixture.memberNoSummary.map((f) => f.name)).toEqual(['BareProps.label', 'Thing.raw']);
  });

  test('fails on an exported signature naming a type the module does not export, not on bodies', () => {
    expect(fixture.unexported.map((f) => f.name)).toEqual(['usesHidden uses Hidden, which is not exported']);
  });

  test('fails on an optional prop without @default', () => {
    expect(fixture.noDefault.map((f) => f.name)).toEqual(['BareProps.size']);
    expect(fixture.noDefault[0].where).toMatch(/^test\/api\/fixtures\/undocumented\.ts:\d+$/);
  });
});
