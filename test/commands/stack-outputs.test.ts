import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OutputsUnavailableError, readDeployedOutputs, readOutputs } from '../../lib/commands/stack-outputs';

function tmp(name: string, text: string, mode = 0o644): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stack-outputs-')), name);
  fs.writeFileSync(file, text, { mode });
  return file;
}

describe('readOutputs', () => {
  test('reads a cdktf outputs file, picking the stack', () => {
    const file = tmp('o.json', JSON.stringify({ 'prod-shared': { vpc_id: 'vpc-1' }, 'prod-blue': { vpc_id: 'nope' } }));
    expect(readOutputs(file, 'prod-shared')).toEqual({ vpc_id: 'vpc-1' });
  });

  test('reads a file holding one stack\'s outputs, and terraform output -json', () => {
    expect(readOutputs(tmp('o.json', '{"vpc_id":"vpc-2"}'), 'prod-shared')).toEqual({ vpc_id: 'vpc-2' });
    const tf = { vpc_id: { value: 'vpc-3', sensitive: false, type: 'string' }, cfg: { value: { a: 1 }, sensitive: true, type: ['object', {}] } };
    expect(readOutputs(tmp('tf.json', JSON.stringify(tf)), 'prod-shared')).toEqual({ vpc_id: 'vpc-3', cfg: { a: 1 } });
  });

  test('fails on a file that is not a JSON object, naming it', () => {
    const file = tmp('bad.json', '[1,2]');
    expect(() => readOutputs(file, 'prod-shared')).toThrow(`${file}: expected a JSON object of stack outputs`);
    expect(() => readOutputs(tmp('broken.json', '{'), 'x')).toThrow(/broken\.json: cannot read the outputs file/);
  });
});

describe('readDeployedOutputs (cdktf replaced by a stand-in through CDKTF_BIN)', () => {
  test('runs cdktf output for the stack and leaves sensitive values out unless asked', async () => {
    const args = tmp('args', '');
    const source = tmp('src.json', JSON.stringify({ 'prod-shared': { vpc_id: 'vpc-9' } }));
    const bin = tmp('cdktf', `#!/bin/sh\necho "$@" > ${args}\nwhile [ $# -gt 0 ]; do [ "$1" = --outputs-file ] && cp ${source} "$2"; shift; done\nexit 0\n`, 0o755);
    const lines: string[] = [];
    const outputs = await readDeployedOutputs('prod-shared', { cwd: os.tmpdir(), env: { ...process.env, CDKTF_BIN: bin }, log: (l) => lines.push(l) });
    expect(outputs).toEqual({ vpc_id: 'vpc-9' });
    expect(fs.readFileSync(args, 'utf8').trim()).toMatch(/^output prod-shared --outputs-file \S+\/outputs\.json$/);
    expect(lines).toEqual(['reading the outputs of prod-shared (cdktf output prod-shared)']);
  });

  test('fails with cdktf\'s last error lines and the offline hint', async () => {
    const bin = tmp('cdktf', '#!/bin/sh\necho "Error: stack prod-shared has no state" >&2\nexit 1\n', 0o755);
    const run = readDeployedOutputs('prod-shared', { cwd: os.tmpdir(), env: { ...process.env, CDKTF_BIN: bin } });
    await expect(run).rejects.toBeInstanceOf(OutputsUnavailableError);
    await expect(run).rejects.toThrow('cannot read the outputs of prod-shared (Error: stack prod-shared has no state); deploy prod-shared first, or pass --outputs <file.json>');
  });
});
