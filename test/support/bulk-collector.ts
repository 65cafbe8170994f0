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
 * How the collector answers one `_bulk` request while it pushes back (see {@link BulkCollector.pushBack}):
 * - `http-429` / `http-503`: the whole request is refused with that HTTP status and OpenSearch's error body
 *   (`es_rejected_execution_exception` / a node that is not ready), nothing is indexed;
 * - `item-403`: HTTP 200, every item refused with 403 `cluster_block_exception` (index read-only block, as at the
 *   disk flood-stage watermark);
 * - `item-429`: HTTP 200, every item refused with 429 `es_rejected_execution_exception` (write queue full).
 */
export type PushBack = 'http-429' | 'http-503' | 'item-403' | 'item-429';

/** The per-item error OpenSearch returns for each push-back kind. */
const ITEM_ERRORS: Record<'item-403' | 'item-429', { status: number; error: Record<string, string> }> = {
  'item-403': {
    status: 403,
    error: {
      type: 'cluster_block_exception',
      reason:
        'index [logs] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];',
    },
  },
  'item-429': {
    status: 429,
    error: {
      type: 'es_rejected_execution_exception',
      reason:
        'rejected execution of coordinating operation [shard_detail=[logs][0][P], shard_coordinating_and_primary_bytes=0, replica_bytes=0]',
    },
  },
};

/** The HTTP-level refusals, with the bodies OpenSearch sends. */
const HTTP_ERRORS: Record<'http-429' | 'http-503', Record<string, unknown>> = {
  'http-429': {
    error: {
      root_cause: [{ type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' }],
      type: 'es_rejected_execution_exception',
      reason: 'rejected execution of coordinating operation',
    },
    status: 429,
  },
  'http-503': {
    error: {
      root_cause: [
        {
          type: 'cluster_block_exception',
          reason: 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];',
        },
      ],
      type: 'cluster_block_exception',
      reason: 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];',
    },
    status: 503,
  },
};

/**
 * A loopback stand-in for an OpenSearch node, speaking the subset of the REST API a log shipper uses:
 * `HEAD|GET /_cat/health`, `GET /`, and `POST /_bulk` (NDJSON, action + document pairs) over HTTPS with basic
 * authentication. Like OpenSearch, `create` of an existing `_id` is refused with 409 per item. Every document the
 * store indexed or refused as a duplicate is recorded, so a test can prove "exactly once". It can also push back
 * the way a loaded or full cluster does ({@link pushBack}) and refuse invalid documents with a per-item 400
 * `mapper_parsing_exception` ({@link invalidWhen}).
 */
export class BulkCollector {
  /** Every document indexed or refused as a duplicate (409), in arrival order: a duplicate shows up twice. */
  public readonly received: ReceivedDoc[] = [];
  /** Every document refused by push-back or as invalid (not indexed), in arrival order. */
  public readonly refused: Array<ReceivedDoc & { readonly status: number }> = [];
  /** `_bulk` requests answered, push-back included. */
  public bulkRequests = 0;
  /** Requests refused for bad credentials. */
  public unauthorized = 0;
  private readonly ids = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private readonly pending: PushBack[] = [];
  private invalid: (doc: Record<string, unknown>) => boolean = () => false;
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

  /** Answers the next `answers.length` `_bulk` requests with these push-backs, in order; then accepts again. */
  pushBack(...answers: PushBack[]): void {
    this.pending.push(...answers);
  }

  /** Push-back answers not yet given. */
  get pushBackLeft(): number {
    return this.pending.length;
  }

  /** Refuses every document for which `check` holds with a per-item 400 `mapper_parsing_exception`, forever. */
  invalidWhen(check: (doc: Record<string, unknown>) => boolean): void {
    this.invalid = check;
  }

  /** Starts listening on 127.0.0.1 (on the previous port after a stop). */
  async start(): Promise<void> {
    const server = https.createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        this.handle(
          req.method ?? 'GET',
          req.url ?? '/',
          req.headers.authorization,
          Buffer.concat(chunks).toString('utf8'),
          res,
        ),
      );
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

  private handle(
    method: string,
    url: string,
    authorization: string | undefined,
    body: string,
    res: import('http').ServerResponse,
  ): void {
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
      this.bulkRequests++;
      const answer = this.pending.shift();
      const lines = body.split('\n').filter((l) => l.trim() !== '');
      const items: unknown[] = [];
      for (let i = 0; i + 1 < lines.length; i += 2) {
        const action = JSON.parse(lines[i]) as Record<string, { _index: string; _id?: string }>;
        const op = Object.keys(action)[0];
        const meta = action[op];
        const doc = JSON.parse(lines[i + 1]) as Record<string, unknown>;
        const received: ReceivedDoc = { op, index: meta._index, id: meta._id, doc };
        const head = { _index: meta._index, _id: meta._id };
        if (answer === 'http-429' || answer === 'http-503') {
          this.refused.push({ ...received, status: answer === 'http-429' ? 429 : 503 });
        } else if (answer !== undefined) {
          const { status, error } = ITEM_ERRORS[answer];
          this.refused.push({ ...received, status });
          items.push({ [op]: { ...head, status, error } });
        } else if (this.invalid(doc)) {
          this.refused.push({ ...received, status: 400 });
          items.push({
            [op]: {
              ...head,
              status: 400,
              error: {
                type: 'mapper_parsing_exception',
                reason: `failed to parse field [fields.seq] of type [long] in document with id '${meta._id}'`,
              },
            },
          });
        } else {
          this.received.push(received);
          const duplicate = op === 'create' && meta._id !== undefined && this.ids.has(meta._id);
          if (meta._id !== undefined) this.ids.add(meta._id);
          items.push({
            [op]: duplicate
              ? { ...head, status: 409, error: { type: 'version_conflict_engine_exception' } }
              : { ...head, status: 201, result: 'created' },
          });
        }
      }
      if (answer === 'http-429' || answer === 'http-503') {
        res.statusCode = answer === 'http-429' ? 429 : 503;
        res.end(JSON.stringify(HTTP_ERRORS[answer]));
        return;
      }
      res.end(
        JSON.stringify({ took: 1, errors: items.some((it) => Object.values(it as object)[0].status >= 300), items }),
      );
      return;
    }
    if (method === 'HEAD') {
      res.end();
      return;
    }
    res.end(
      path.startsWith('/_cat/health')
        ? '[{"status":"green"}]'
        : JSON.stringify({ version: { distribution: 'opensearch', number: '2.13.0' } }),
    );
  }
}
