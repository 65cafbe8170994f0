import * as fs from 'fs';
import * as path from 'path';
import { ExitCode } from '../../lib/cli/exit-codes';
import { COMMANDS, packageHelp } from '../../lib/commands/registry';

const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end);
}

/** The JSDoc summary of each ExitCode member, read from the source (the table's third column). */
function documented(): Record<string, string> {
  const source = fs.readFileSync(path.join(__dirname, '..', '..', 'lib', 'cli', 'exit-codes.ts'), 'utf8');
  const out: Record<string, string> = {};
  for (const m of source.matchAll(/\/\*\*([\s\S]*?)\*\/\s*([A-Z_]+): \d+,/g)) {
    out[m[2]] = m[1]
      .split('/**')
      .pop()!
      .replace(/^\s*\* ?/gm, '')
      .replace(/\s+/g, ' ')
      .trim();
  }
  return out;
}

describe('README', () => {
  test('"Exit codes" lists exactly lib/cli/exit-codes.ts: code, name and meaning', () => {
    const rows = [...section('Exit codes').matchAll(/^\| (\d+) \| `([A-Z_]+)` \| (.+) \|$/gm)].map((m) => [
      m[2],
      Number(m[1]),
      m[3],
    ]);
    const docs = documented();
    expect(rows).toEqual(Object.entries(ExitCode).map(([name, code]) => [name, code, docs[name]]));
    expect(section('Exit codes')).toContain('| 128+N |');
  });

  test('"Commands" lists every registered command, both ways to run it', () => {
    const text = section('Commands');
    for (const { name } of COMMANDS) {
      expect(text).toMatch(new RegExp(`\\| \`npx cdktf-bluegreen ${name}[ \`]`));
      expect(text).toMatch(new RegExp(`\\| \`npm run ${name}[ \`]`));
    }
    expect(text.match(/^\| `npx cdktf-bluegreen /gm)).toHaveLength(COMMANDS.length);
  });
});

test('npx cdktf-bluegreen --help lists every command with its summary', () => {
  const help = packageHelp();
  for (const c of COMMANDS) expect(help).toContain(`  ${c.name.padEnd(19)}  ${c.summary}\n`);
});
