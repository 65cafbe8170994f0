// The caller-identity lookups: STS through an injected SDK module (the STS package may be absent and no AWS
// endpoint is reachable here), and DigitalOcean's account endpoint through a test double of its API on loopback.
import * as http from 'http';
import { AddressInfo } from 'net';
import {
  awsCallerIdentity,
  digitaloceanCallerIdentity,
  IdentityError,
  STS_PACKAGE,
} from '../../lib/commands/caller-identity';

describe('awsCallerIdentity', () => {
  test('records the ARN and account STS GetCallerIdentity returns (test double of the SDK module)', async () => {
    const sent: unknown[] = [];
    class GetCallerIdentityCommand {
      constructor(public readonly input: unknown) {}
    }
    class STSClient {
      constructor(public readonly config: Record<string, unknown>) {}
      async send(command: unknown) {
        sent.push(command);
        return { Arn: 'arn:aws:sts::123456789012:assumed-role/deploy/gh-run-42', Account: '123456789012' };
      }
      destroy() {}
    }
    const identity = await awsCallerIdentity({ AWS_REGION: 'eu-west-1' }, () => ({
      STSClient,
      GetCallerIdentityCommand,
    }));
    expect(identity).toEqual({
      principal: 'arn:aws:sts::123456789012:assumed-role/deploy/gh-run-42',
      account: '123456789012',
      source: 'aws-sts:GetCallerIdentity',
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(GetCallerIdentityCommand);
  });

  test('fails with the package to install when the STS client is missing', async () => {
    const missing = () => {
      throw new Error(`Cannot find module '${STS_PACKAGE}'`);
    };
    await expect(awsCallerIdentity({}, missing)).rejects.toThrow(
      new IdentityError(
        `${STS_PACKAGE} is not installed; install it (npm install ${STS_PACKAGE}) so the deploy can record who ran it`,
      ),
    );
  });
});

describe('digitaloceanCallerIdentity (test double of the DigitalOcean API on loopback)', () => {
  let server: http.Server;
  let url: string;
  const seen: Array<string | undefined> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url !== '/v2/account' || req.headers.authorization !== 'Bearer good-token') {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"id":"Unauthorized"}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ account: { email: 'ops@example.com', uuid: 'u-1', team: { uuid: 't-9' } } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  test('records the account the token belongs to', async () => {
    expect(await digitaloceanCallerIdentity({ DIGITALOCEAN_TOKEN: 'good-token', DIGITALOCEAN_API_URL: url })).toEqual({
      principal: 'ops@example.com',
      account: 't-9',
      source: 'digitalocean:GET /v2/account',
    });
  });

  test('fails when the token is refused or absent', async () => {
    await expect(digitaloceanCallerIdentity({ DIGITALOCEAN_TOKEN: 'bad', DIGITALOCEAN_API_URL: url })).rejects.toThrow(
      `GET ${url}/v2/account answered HTTP 401`,
    );
    await expect(digitaloceanCallerIdentity({})).rejects.toThrow('no DigitalOcean credentials: set DIGITALOCEAN_TOKEN');
  });
});
