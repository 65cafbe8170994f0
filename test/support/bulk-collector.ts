import * as https from 'https';
import { AddressInfo, Socket } from 'net';

/** One document the collector received through `_bulk`, with its action line. */
export interface ReceivedDoc {
  /** The bulk action (`create`, `index`, ...). */
  readonly op: string;
  /** Target index. */
  readonly index: string;
  /** Document id (`_id`), if the client gave one. */
  readonly id?: string;
  /** The parsed document. */
  readonly doc: Record<string, unknown>;
}

/**
 * A loopback stand-in for an OpenSearch node, speaking the subset of the REST API a log shipper uses:
 * `HEAD|GET /_cat/health`, `GET /`, and `POST /_bulk` (NDJSON, action + document pairs) over HTTPS with basic
 * authentication. Like OpenSearch, `create` of an existing `_id` is refused with 409 per item. Every received
 * document is recorded, duplicates included, so a test can prove "exactly once".
 */
export class BulkCollector {
  /** Every document received, in arrival order (including refused duplicates). */
  public readonly received: ReceivedDoc[] = [];
  /** Requests refused for bad credentials. */
  public unauthorized = 0;
  private readonly ids = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private server?: https.Server;
  private boundPort = 0;

  constructor(
    private readonly tls: { readonly key: string; readonly cert: string },
    private readonly auth: { readonly username: string; readonly password: string },
  ) {}

  /** The port the collector listens on (stable across stop/start). */
  get port(): number {
    return this.boundPort;
  }

  /** Starts listening on 127.0.0.1 (on the previous port after a stop). */
  async start(): Promise<void> {
    const server = https.createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req.method ?? 'GET', req.url ?? '/', req.headers.authorization, Buffer.concat(chunks).toString('utf8'), res));
    });
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, '127.0.0.1', () => resolve());
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops every open connection (an outage, as the shipper sees it). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Documents received whose `source` field is `source`. */
  from(source: string): ReceivedDoc[] {
    return this.received.filter((r) => r.doc.source === source);
  }

  private handle(method: string, url: string, authorization: string | undefined, body: string, res: import('http').ServerResponse): void {
    const expected = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`;
    res.setHeader('content-type', 'application/json');
    if (authorization !== expected) {
      this.unauthorized++;
      res.statusCode = 401;
      res.end(JSON.stringify({ error: 'unauthorized', status: 401 }));
      return;
    }
    const path = url.split('?')[0];
    if (method === 'POST' && /(^|\/)_bulk$/.test(path)) {
      const lines = body.split('\n').filter((l) => l.trim() !== '');
      const items: unknown[] = [];
      for (let i = 0; i + 1 < lines.length; i += 2) {
        const action = JSON.parse(lines[i]) as Record<string, { _index: string; _id?: string }>;
        const op = Object.keys(action)[0];
        const meta = action[op];
        const doc = JSON.parse(lines[i + 1]) as Record<string, unknown>;
        this.received.push({ op, index: meta._index, id: meta._id, doc });
        const duplicate = op === 'create' && meta._id !== undefined && this.ids.has(meta._id);
        if (meta._id !== undefined) this.ids.add(meta._id);
        items.push({ [op]: duplicate ? { _index: meta._index, _id: meta._id, status: 409, error: { type: 'version_conflict_engine_exception' } } : { _index: meta._index, _id: meta._id, status: 201, result: 'created' } });
      }
      res.end(JSON.stringify({ took: 1, errors: items.some((it) => Object.values(it as object)[0].status >= 300), items }));
      return;
    }
    if (method === 'HEAD') {
      res.end();
      return;
    }
    res.end(path.startsWith('/_cat/health') ? '[{"status":"green"}]' : JSON.stringify({ version: { distribution: 'opensearch', number: '2.13.0' } }));
  }
}
