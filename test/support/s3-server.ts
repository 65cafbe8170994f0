/**
 * A real S3-compatible server for tests: s3rver (from npm) on loopback, storing in a temporary directory, with
 * a plain HTTP forwarding proxy in front of it. The proxy records every request's method, path and headers (so
 * tests can check what the client sent, including headers s3rver ignores, such as object-lock retention and
 * checksums) and can inject failures: drop the connection midway through a request body, or answer with an
 * S3 error status. Everything else is s3rver's own behaviour.
 */
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

// The pinned SDK works on Node 20; keep its notice about future releases out of the test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
};

/** One request as the proxy saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** A failure to inject into the next `times` matching requests. */
export interface Fault {
  /** Which requests (method and decoded path) fail. */
  readonly match: (method: string, path: string) => boolean;
  /** `reset`: read part of the body, then drop the connection; a number: answer with that status and an S3 error. */
  readonly mode: 'reset' | number;
  /** How many matching requests fail (then the fault is spent). */
  times: number;
  /** For `reset`: how many body bytes arrived before the proxy dropped the connection (last time). */
  bytesBeforeReset?: number;
}

/** A running server and proxy. */
export interface S3Server {
  /** The proxy's URL: use it as the S3 endpoint. */
  readonly endpoint: string;
  /** s3rver's own URL (bypasses the proxy and its faults). */
  readonly directEndpoint: string;
  /** Every request through the proxy, in order. */
  readonly requests: SeenRequest[];
  /** Active faults. */
  readonly faults: Fault[];
  /** Stops both and removes the data. */
  close(): Promise<void>;
}

/** Credentials s3rver accepts. */
export const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

const S3_ERROR_CODES: Record<number, string> = { 403: 'AccessDenied', 500: 'InternalError', 503: 'SlowDown' };

/** Starts s3rver with the given buckets, and the proxy in front of it. */
export async function startS3Server(buckets: readonly string[]): Promise<S3Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port: s3Port } = await server.run();
  const requests: SeenRequest[] = [];
  const faults: Fault[] = [];

  const proxy = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const reqPath = decodeURIComponent((req.url ?? '/').split('?')[0]);
    requests.push({ method, path: reqPath, headers: req.headers });
    const fault = faults.find((f) => f.times > 0 && f.match(method, reqPath));
    if (fault) {
      fault.times--;
      if (fault.mode === 'reset') {
        req.once('data', (chunk: Buffer) => {
          fault.bytesBeforeReset = chunk.length;
          req.socket.destroy();
        });
        req.once('end', () => req.socket.destroy());
        return;
      }
      const code = S3_ERROR_CODES[fault.mode] ?? 'InternalError';
      req.resume();
      req.on('end', () => {
        res.writeHead(fault.mode as number, { 'content-type': 'application/xml' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected by the test proxy</Message></Error>`,
        );
      });
      return;
    }
    const upstream = http.request(
      { host: '127.0.0.1', port: s3Port, method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${proxyPort}`,
    directEndpoint: `http://127.0.0.1:${s3Port}`,
    requests,
    faults,
    async close() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
