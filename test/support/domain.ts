import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import type { RawEnv } from '@app/config';
import { buildDataSourceOptions, DatabaseConnector, migrateUp } from '@app/database';
import { signToken } from '@app/auth';
import { createApi } from '../../apps/api/src/run-api';
import { e2e, envFrom, strictRawEnv, TEST_SECRET_KEY } from './e2e-env';

/** Helpers for the domain e2e suites: a migrated database, a booted app, tokens, and real HTTP receivers. */

export async function migrateTestDatabase(url = e2e.databaseUrl): Promise<void> {
  const env = envFrom(strictRawEnv({ DATABASE_URL: url }));
  const ds = new DataSource({ ...buildDataSourceOptions(env, url, 'test'), poolSize: 2 });
  await ds.initialize();
  try {
    await migrateUp(ds, { timeoutMs: 60_000, log: () => undefined });
  } finally {
    await ds.destroy();
  }
}

/** Strict mode with local receivers on 127.0.0.1 allowed, fast retries. */
export function domainRawEnv(overrides: RawEnv = {}): RawEnv {
  return strictRawEnv({
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
    WEBHOOK_RETRY_SCHEDULE: '0,50ms,100ms',
    WEBHOOK_TIMEOUT_MS: '1000',
    DELIVERY_POLL_INTERVAL_MS: '200',
    DELIVERY_CONCURRENCY: '2',
    ...overrides,
  });
}

/** Boots the API in process on the run's database, or on `databaseUrl` (a scratch database of the suite's own). */
export async function bootApi(overrides: RawEnv = {}, databaseUrl = e2e.databaseUrl): Promise<{ app: NestFastifyApplication; url: string }> {
  const env = envFrom(domainRawEnv({ DATABASE_URL: databaseUrl, ...overrides }));
  const app = await createApi(env, databaseUrl);
  await app.listen({ port: 0, host: '127.0.0.1' });
  await app.get(DatabaseConnector).whenReady();
  const address = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${address.port}` };
}

export function token(scopes: string[] = ['admin'], sub = 'e2e', ttlSeconds = 3600): string {
  return signToken(TEST_SECRET_KEY, sub, scopes, ttlSeconds);
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/** A small JSON client for the API under test. */
export function apiClient(baseUrl: string, bearer: string | null = token()) {
  // Test bodies are loosely typed JSON; assertions check their shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const h: Record<string, string> = { ...headers };
    if (bearer) h.authorization = `Bearer ${bearer}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${baseUrl}${path}`, { method, headers: h, body: payload, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed as T, headers: res.headers, text };
  };
}

export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

type Behaviour = (req: ReceivedRequest, index: number) => { status: number; delayMs?: number; hang?: boolean } | Promise<{ status: number }>;

/** A real webhook receiver (node:http on a free port) that records what it gets and answers per `behaviour`. */
export class Receiver {
  readonly received: ReceivedRequest[] = [];
  private server!: Server;
  private readonly hanging = new Set<ServerResponse>();
  port = 0;

  constructor(public behaviour: Behaviour = () => ({ status: 200 })) {}

  static async start(behaviour?: Behaviour): Promise<Receiver> {
    const r = new Receiver(behaviour);
    await r.listen();
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  private listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rec = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        const index = this.received.push(rec) - 1;
        void Promise.resolve(this.behaviour(rec, index)).then((b) => {
          const r = b as { status: number; delayMs?: number; hang?: boolean };
          if (r.hang) {
            this.hanging.add(res);
            return;
          }
          setTimeout(() => res.writeHead(r.status, { 'content-type': 'text/plain' }).end(`status ${r.status}`), r.delayMs ?? 0);
        });
      });
    });
    this.server.keepAliveTimeout = 10_000;
    return new Promise((ok) =>
      this.server.listen(0, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        ok();
      }),
    );
  }

  events(): Array<{ type: string; data: Record<string, unknown> }> {
    return this.received.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((ok) => this.server.close(() => ok(undefined)));
  }
}

/** The polling helper under the name these suites use (it returns the predicate's value). */
export { waitFor as eventually } from './wait-for';
