// npm run promote --image: the AMI copy against the AWS emulator (moto on loopback: DescribeImages, CopyImage,
// CreateTags), and the DigitalOcean snapshot transfer against a loopback stand-in of the DigitalOcean API (the API
// cannot run here; the stand-in answers the three calls as the API documents them).
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { loadEnvironments } from '../../lib/config';
import { promote, PromoteOptions } from '../../lib/commands/promote';
import { PromotionError } from '../../lib/commands/promote-oci';
import { RELEASE_VERSION_TAG, SOURCE_IMAGE_TAG } from '../../lib/commands/promote-image';
import { Emulator, EMULATOR_CREDENTIALS, findMotoServer, startEmulator } from '../support/aws-emulator';
import { envDir } from '../support/env-dir';

const SOURCE_AMI = 'ami-0123456789abcdef0';
let emulator: Emulator;
let work: string;
/** CopyImage requests as the SDK sent them (moto accepts but does not model encryption). */
const copyRequests: Array<Record<string, unknown>> = [];
const ec2 = (region: string) => {
  const client = new EC2Client({ region, endpoint: emulator.endpoint, credentials: EMULATOR_CREDENTIALS });
  client.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'CopyImageCommand')
      copyRequests.push({ region, ...(args.input as Record<string, unknown>) });
    return next(args);
  });
  return client;
};

beforeAll(async () => {
  const moto = findMotoServer();
  if (!moto) throw new Error('moto_server not found: set MOTO_SERVER or run bash .ci/run (it makes .venv/)');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'promote-image-'));
  emulator = await startEmulator(moto, path.join(work, 'moto.log'), [{ id: SOURCE_AMI, rootDeviceName: '/dev/xvda' }]);
});
afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

/** The ids of every image in eu-west-1 copied from the source AMI (by the source tag the copy carries). */
async function copiesOfSource(): Promise<string[]> {
  const client = ec2('eu-west-1');
  try {
    const out = await client.send(
      new DescribeImagesCommand({
        Owners: ['self'],
        Filters: [{ Name: `tag:${SOURCE_IMAGE_TAG}`, Values: [`us-east-1/${SOURCE_AMI}`] }],
      }),
    );
    return (out.Images ?? []).map((i) => i.ImageId!).sort();
  } finally {
    client.destroy();
  }
}

describe('copying an AMI into the environment (AWS emulator)', () => {
  let dir: string;
  beforeAll(() => (dir = envDir()));
  afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
  const options = (extra: Partial<PromoteOptions> = {}): PromoteOptions => ({
    environment: 'staging',
    color: 'green',
    dir,
    cwd: path.dirname(dir),
    image: { id: SOURCE_AMI, fromRegion: 'us-east-1' },
    version: '1.6.0',
    ec2,
    ...extra,
  });

  test('copies it into eu-west-1 (CopyImage, Encrypted), waits until available, tags it with the release version and writes its id into the values', async () => {
    const result = await promote(options());
    expect(result.image?.copied).toBe(true);
    expect(result.image?.id).toMatch(/^ami-[0-9a-f]{8,17}$/);
    expect(result.image?.id).not.toBe(SOURCE_AMI);
    const client = ec2('eu-west-1');
    const [image] = (await client.send(new DescribeImagesCommand({ ImageIds: [result.image!.id] }))).Images!;
    client.destroy();
    expect(image.State).toBe('available');
    expect(Object.fromEntries(image.Tags!.map((t) => [t.Key, t.Value]))).toMatchObject({
      [RELEASE_VERSION_TAG]: '1.6.0',
      [SOURCE_IMAGE_TAG]: `us-east-1/${SOURCE_AMI}`,
      environment: 'staging',
    });
    const [config] = loadEnvironments({ dir, only: ['staging'] });
    expect(config.colors.green.release.image).toBe(result.image!.id);
    expect(config.colors.green.release.version).toBe('1.6.0');
    expect(await copiesOfSource()).toEqual([result.image!.id]);
    expect(copyRequests).toEqual([
      {
        region: 'eu-west-1',
        SourceImageId: SOURCE_AMI,
        SourceRegion: 'us-east-1',
        Name: `shop-staging-1.6.0-${SOURCE_AMI}`,
        Description: `Release 1.6.0, copied from us-east-1/${SOURCE_AMI} by npm run promote`,
        Encrypted: true,
      },
    ]);
  });

  test('a second promotion finds the copy and copies nothing', async () => {
    const text = fs.readFileSync(path.join(dir, 'staging.yaml'));
    const copiesBefore = await copiesOfSource();
    expect(copiesBefore).toHaveLength(1);
    const result = await promote(options());
    expect(result.image?.copied).toBe(false);
    expect(result.changed).toBe(false);
    expect(await copiesOfSource()).toEqual(copiesBefore);
    expect(fs.readFileSync(path.join(dir, 'staging.yaml')).equals(text)).toBe(true);
  });

  test('fails for an image that does not resolve in the source region, naming it and the region, values untouched', async () => {
    const text = fs.readFileSync(path.join(dir, 'staging.yaml'));
    await expect(
      promote(
        options({ image: { id: 'ami-0fffffffffffffff0', fromRegion: 'us-east-1', fromAccount: '123456789012' } }),
      ),
    ).rejects.toThrow(
      new PromotionError(
        'ami-0fffffffffffffff0: EC2 us-east-1: does not resolve in us-east-1 (account 123456789012) (no such image the credentials can see)',
      ),
    );
    expect(fs.readFileSync(path.join(dir, 'staging.yaml')).equals(text)).toBe(true);
  });
});

/** A loopback stand-in of the DigitalOcean API's image calls: GET /v2/images/:id, POST /v2/images/:id/actions, GET /v2/actions/:id. */
async function doApiStandIn(): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const regions = new Map<string, string[]>([['160000001', ['nyc3']]]);
  let polls = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url} ${req.headers.authorization} ${body}`);
      const send = (status: number, value: unknown) => (
        res.writeHead(status, { 'Content-Type': 'application/json' }),
        res.end(JSON.stringify(value))
      );
      const image = /^\/v2\/images\/(\d+)(\/actions)?$/.exec(req.url ?? '');
      if (image && !regions.has(image[1]))
        return send(404, { id: 'not_found', message: 'The resource you requested could not be found.' });
      if (image && req.method === 'GET' && !image[2])
        return send(200, { image: { id: Number(image[1]), regions: regions.get(image[1]), status: 'available' } });
      if (image && req.method === 'POST') {
        const { type, region } = JSON.parse(body) as { type: string; region: string };
        if (type !== 'transfer') return send(422, { message: 'unexpected action' });
        regions.get(image[1])!.push(region);
        return send(201, { action: { id: 4242, status: 'in-progress', type: 'transfer' } });
      }
      if (req.url === '/v2/actions/4242')
        return send(200, { action: { id: 4242, status: ++polls < 2 ? 'in-progress' : 'completed' } });
      return send(404, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('transferring a DigitalOcean snapshot (loopback stand-in of the DigitalOcean API)', () => {
  test('transfers the snapshot to the environment region, waits for the action and writes its id; a second run transfers nothing', async () => {
    const api = await doApiStandIn();
    const dir = envDir();
    try {
      const env = { DIGITALOCEAN_TOKEN: 'dop_v1_test', DIGITALOCEAN_API_URL: api.url };
      const result = await promote({
        environment: 'dev',
        color: 'green',
        dir,
        image: { id: '160000001', fromRegion: 'nyc3' },
        env,
        pollMs: 10,
      });
      expect(result.image).toEqual({ id: '160000001', copied: true });
      expect(api.requests).toEqual([
        'GET /v2/images/160000001 Bearer dop_v1_test ',
        'POST /v2/images/160000001/actions Bearer dop_v1_test {"type":"transfer","region":"fra1"}',
        'GET /v2/actions/4242 Bearer dop_v1_test ',
        'GET /v2/actions/4242 Bearer dop_v1_test ',
      ]);
      expect(loadEnvironments({ dir, only: ['dev'] })[0].colors.green.release.image).toBe('160000001');
      const again = await promote({
        environment: 'dev',
        color: 'green',
        dir,
        image: { id: '160000001', fromRegion: 'nyc3' },
        env,
        pollMs: 10,
      });
      expect(again.image).toEqual({ id: '160000001', copied: false });
      expect(api.requests).toHaveLength(5);
      const text = fs.readFileSync(path.join(dir, 'dev.yaml'));
      await expect(
        promote({ environment: 'dev', color: 'green', dir, image: { id: '999', fromRegion: 'nyc3' }, env }),
      ).rejects.toThrow(
        `snapshot 999: ${api.url}: GET /v2/images/999: not found (does the snapshot exist in this account?)`,
      );
      expect(fs.readFileSync(path.join(dir, 'dev.yaml')).equals(text)).toBe(true);
    } finally {
      await api.close();
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });
});
