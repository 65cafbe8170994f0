import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cdktfBinary } from '../../lib/cli/cdktf';
import { resolveTarget } from '../../lib/commands/archive-target';

function outputsFile(outputs: Record<string, unknown>): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outputs-')), 'outputs.json');
  fs.writeFileSync(file, JSON.stringify(outputs));
  return file;
}
const base = { environment: 'prod', cwd: os.tmpdir() };

describe('resolveTarget', () => {
  test('reads bucket and region from the <env>-shared outputs', async () => {
    const file = outputsFile({
      'prod-shared': { deployment_records_bucket: 'shop-prod-deployment-records', archive_region: 'eu-west-1' },
    });
    expect(await resolveTarget({ ...base, outputsFile: file })).toEqual({
      bucket: 'shop-prod-deployment-records',
      region: 'eu-west-1',
      forcePathStyle: false,
    });
  });

  test('flags win over outputs', async () => {
    const file = outputsFile({
      'prod-shared': { deployment_records_bucket: 'from-outputs', archive_region: 'eu-west-1' },
    });
    expect(await resolveTarget({ ...base, outputsFile: file, bucket: 'from-flag', region: 'us-east-2' })).toMatchObject(
      { bucket: 'from-flag', region: 'us-east-2' },
    );
  });

  test('takes the Spaces bucket and bare endpoint host of a DigitalOcean shared stack, as HTTPS, virtual-host style', async () => {
    const file = outputsFile({
      'dev-shared': {
        deployment_records_bucket: 'shop-dev-deployments',
        archive_region: 'fra1',
        archive_endpoint: 'fra1.digitaloceanspaces.com',
      },
    });
    expect(await resolveTarget({ ...base, environment: 'dev', outputsFile: file })).toEqual({
      bucket: 'shop-dev-deployments',
      region: 'fra1',
      endpoint: 'https://fra1.digitaloceanspaces.com',
      forcePathStyle: false,
    });
  });

  test('uses path style for a loopback endpoint', async () => {
    expect(await resolveTarget({ ...base, bucket: 'b', endpoint: 'http://127.0.0.1:4568' })).toMatchObject({
      forcePathStyle: true,
      endpoint: 'http://127.0.0.1:4568',
    });
  });

  test('fails when the outputs file lacks the stack', async () => {
    const file = outputsFile({ 'staging-shared': {} });
    await expect(resolveTarget({ ...base, outputsFile: file })).rejects.toThrow(
      `${file}: has no outputs for stack prod-shared; deploy prod-shared first, or pass --bucket and --region`,
    );
  });

  test('fails when the shared stack has no records bucket output', async () => {
    const file = outputsFile({ 'prod-shared': { vpc_id: 'vpc-1' } });
    await expect(resolveTarget({ ...base, outputsFile: file })).rejects.toThrow(
      'prod-shared has no output "deployment_records_bucket"',
    );
  });

  test('fails on an endpoint that is not a URL', async () => {
    await expect(resolveTarget({ ...base, bucket: 'b', endpoint: 'http://host/path/x' })).rejects.toThrow(
      '--endpoint "http://host/path/x" must be a URL',
    );
  });

  test('fails without a region for AWS', async () => {
    await expect(
      resolveTarget({
        ...base,
        bucket: 'b',
        outputsFile: outputsFile({ 'prod-shared': { deployment_records_bucket: 'b' } }),
      }),
    ).rejects.toThrow('no region: pass --region');
  });
});

describe('cdktfBinary', () => {
  test('CDKTF_BIN replaces cdktf', () => {
    expect(cdktfBinary('/nowhere', { CDKTF_BIN: '/tmp/stand-in' })).toBe('/tmp/stand-in');
  });

  test("defaults to the project's node_modules/.bin/cdktf, else cdktf on the PATH", () => {
    expect(cdktfBinary(path.resolve(__dirname, '../..'), {})).toBe(
      path.resolve(__dirname, '../../node_modules/.bin/cdktf'),
    );
    expect(cdktfBinary('/nowhere', {})).toBe('cdktf');
  });
});
