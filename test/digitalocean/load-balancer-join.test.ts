// The wait between the two deploys of a zero-downtime cutover, against a loopback stand-in of the DigitalOcean API
// endpoints it calls (GET /v2/load_balancers, /v2/load_balancers/{id}, /v2/droplets?tag_name=): an HTTP server on
// 127.0.0.1 whose answers change as the "deploy" progresses. A fake clock replaces the real waits.
import * as http from 'http';
import { AddressInfo } from 'net';
import { LoadBalancerJoinError, waitForJoinedDroplets } from '../../lib/digitalocean/load-balancer-join';

interface World {
  lbStatus: string;
  lbDroplets: number[];
  green: Array<{ id: number; status: string }>;
}

/** The stand-in: serves `world` as the DigitalOcean API would, and records each request. */
async function standIn(
  world: World,
): Promise<{ url: string; requests: string[]; auth: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const auth: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    auth.push(String(req.headers.authorization));
    const url = new URL(req.url ?? '/', 'http://x');
    const lb = {
      id: 'lb-1',
      name: 'shop-dev-live',
      status: world.lbStatus,
      droplet_ids: world.lbDroplets,
      health_check: { check_interval_seconds: 10, response_timeout_seconds: 5, healthy_threshold: 3 },
    };
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== 'Bearer do-token') return send(401, { id: 'unauthorized' });
    if (url.pathname === '/v2/load_balancers')
      return send(200, { load_balancers: [{ ...lb, id: 'lb-0', name: 'shop-dev-preview' }, lb] });
    if (url.pathname === '/v2/load_balancers/lb-1') return send(200, { load_balancer: lb });
    if (url.pathname === '/v2/droplets' && url.searchParams.get('tag_name') === 'shop-dev-green')
      return send(200, { droplets: world.green });
    if (url.pathname === '/v2/droplets') return send(200, { droplets: [] });
    return send(404, { id: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    auth,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A fake clock; `onSleep` lets the world move on between polls. */
function clock(onSleep: (elapsedMs: number) => void) {
  let t = 1_000_000;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
      onSleep(t - 1_000_000);
    },
  };
}

describe('waitForJoinedDroplets against a loopback stand-in of the DigitalOcean API', () => {
  test('waits for the droplets to be active and in the live load balancer, then for the health check to settle (3 × 10 s + 5 s)', async () => {
    const world: World = {
      lbStatus: 'active',
      lbDroplets: [101],
      green: [
        { id: 201, status: 'new' },
        { id: 202, status: 'new' },
      ],
    };
    const api = await standIn(world);
    const c = clock((elapsed) => {
      if (elapsed >= 20_000) world.green = world.green.map((d) => ({ ...d, status: 'active' }));
      if (elapsed >= 30_000) world.lbDroplets = [101, 201, 202]; // step 1 deployed: both colors
    });
    const lines: string[] = [];
    try {
      const result = await waitForJoinedDroplets({
        token: 'do-token',
        apiUrl: api.url,
        loadBalancerName: 'shop-dev-live',
        dropletTag: 'shop-dev-green',
        log: (l) => lines.push(l),
        ...c,
      });
      expect(result).toEqual({ loadBalancerId: 'lb-1', dropletIds: [201, 202], settleSeconds: 35, waitedSeconds: 70 });
    } finally {
      await api.close();
    }
    expect(lines[0]).toBe('shop-dev-live: droplets not active: 201, 202; droplets not in the load balancer: 201, 202');
    expect(lines).toContain('shop-dev-live: waiting for the health check to settle (35 s)');
    expect(api.requests[0]).toBe('/v2/load_balancers?per_page=200');
    expect(api.requests).toContain('/v2/droplets?tag_name=shop-dev-green&per_page=200');
    expect(new Set(api.auth)).toEqual(new Set(['Bearer do-token']));
  });

  test('fails when the droplets never join, saying what is missing and to keep the old color live', async () => {
    const world: World = { lbStatus: 'active', lbDroplets: [101], green: [{ id: 201, status: 'active' }] };
    const api = await standIn(world);
    try {
      await expect(
        waitForJoinedDroplets({
          token: 'do-token',
          apiUrl: api.url,
          loadBalancerName: 'shop-dev-live',
          dropletTag: 'shop-dev-green',
          timeoutSeconds: 60,
          ...clock(() => undefined),
        }),
      ).rejects.toThrow(
        /shop-dev-green droplets did not settle behind shop-dev-live within 60 s: droplets not in the load balancer: 201; keep the old color live/,
      );
    } finally {
      await api.close();
    }
  });

  test('a load balancer change in flight (status new) restarts the settle time', async () => {
    const world: World = { lbStatus: 'active', lbDroplets: [201], green: [{ id: 201, status: 'active' }] };
    const api = await standIn(world);
    const c = clock((elapsed) => {
      world.lbStatus = elapsed === 20_000 ? 'new' : 'active'; // a change in flight at 20 s
    });
    try {
      const result = await waitForJoinedDroplets({
        token: 'do-token',
        apiUrl: api.url,
        loadBalancerName: 'shop-dev-live',
        dropletTag: 'shop-dev-green',
        ...c,
      });
      expect(result.waitedSeconds).toBe(70); // ready at 30 s, settled 40 s later (35 s rounded up to the next poll)
    } finally {
      await api.close();
    }
  });

  test.each([
    [
      'no load balancer of that name',
      { loadBalancerName: 'shop-prod-live', dropletTag: 'shop-dev-green', token: 'do-token' },
      /no load balancer named shop-prod-live; deploy the cutover stack first/,
    ],
    [
      'no droplet with the tag',
      { loadBalancerName: 'shop-dev-live', dropletTag: 'shop-dev-blue', token: 'do-token' },
      /no droplet is tagged shop-dev-blue; deploy that color's stack first/,
    ],
    [
      'a rejected token',
      { loadBalancerName: 'shop-dev-live', dropletTag: 'shop-dev-green', token: 'wrong' },
      /GET \/v2\/load_balancers\?per_page=200: the DigitalOcean API answered 401 \(check DIGITALOCEAN_TOKEN\)/,
    ],
  ])('fails on %s', async (_label, opts, message) => {
    const api = await standIn({ lbStatus: 'active', lbDroplets: [], green: [{ id: 1, status: 'active' }] });
    try {
      const error = await waitForJoinedDroplets({ ...opts, apiUrl: api.url, ...clock(() => undefined) }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(LoadBalancerJoinError);
      expect((error as Error).message).toMatch(message);
    } finally {
      await api.close();
    }
  });
});
