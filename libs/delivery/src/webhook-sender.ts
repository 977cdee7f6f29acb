import * as http from 'node:http';
import * as https from 'node:https';
import type { DnsResolver } from './dns-resolver';
import type { SsrfPolicy } from './ssrf-policy';

export const RESPONSE_BODY_LIMIT = 20 * 1024;

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  /** First 20 KB of the response body. */
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  startedAt: Date;
}

/**
 * Async HTTP POST with a whole-request deadline (DNS included), no redirects followed, a bounded response body, and
 * the SSRF check on the address actually connected to. Names are resolved by the DnsResolver (c-ares, cache, hosts
 * file), never by `dns.lookup` on libuv's thread pool. Keep-alive agents: many requests in flight share few sockets
 * per host.
 */
export class WebhookSender {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly lookup: ReturnType<SsrfPolicy['lookupVia']>;

  constructor(
    private readonly timeoutMs: number,
    private readonly ssrf: SsrfPolicy,
    private readonly dns: Pick<DnsResolver, 'resolve' | 'close'>,
    maxSockets: number,
  ) {
    this.lookup = ssrf.lookupVia((hostname) => dns.resolve(hostname));
    const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: Math.min(maxSockets, 256), scheduling: 'lifo' as const };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent(agentOptions);
  }

  send(request: OutgoingRequest): Promise<SendResult> {
    const startedAt = new Date();
    const started = performance.now();
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      // Set once the request exists; early failures (bad URL, refused literal) finish before it.
      const deadline: { timer?: NodeJS.Timeout } = {};
      const finish = (r: Omit<SendResult, 'durationMs' | 'startedAt'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline.timer);
        resolve({ ...r, durationMs: Math.round(performance.now() - started), startedAt });
      };
      const fail = (error: string) => finish({ ok: false, statusCode: null, responseBody: null, error });

      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        return fail('invalid url');
      }
      const blocked = this.ssrf.checkLiteral(url.hostname);
      if (blocked) return fail(blocked.message);

      const isHttps = url.protocol === 'https:';
      const body = Buffer.from(request.body, 'utf8');
      const req = (isHttps ? https : http).request(url, {
        method: 'POST',
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        lookup: this.lookup as never,
        headers: { ...request.headers, 'content-length': String(body.length) },
      });
      deadline.timer = setTimeout(() => {
        req.destroy(new Error(`timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);

      req.on('socket', (socket) => {
        // Belt and braces: whatever resolved the name, the peer must be an allowed address.
        const check = () => {
          const peer = socket.remoteAddress;
          if (peer && !this.ssrf.allows(peer)) req.destroy(new Error(`refused to connect to ${peer}: address not allowed in strict mode`));
        };
        if ((socket as { connecting?: boolean }).connecting) socket.once('connect', check);
        else check();
      });
      req.on('error', (e: NodeJS.ErrnoException) => fail(e.message || e.code || 'request failed'));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < RESPONSE_BODY_LIMIT) {
            chunks.push(chunk.subarray(0, RESPONSE_BODY_LIMIT - size));
            size += Math.min(chunk.length, RESPONSE_BODY_LIMIT - size);
          }
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          finish({
            ok,
            statusCode: status,
            responseBody: Buffer.concat(chunks).toString('utf8'),
            error: ok ? null : `receiver answered ${status}`,
          });
        });
        res.on('error', (e) => fail(e.message));
      });
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.dns.close();
  }
}
