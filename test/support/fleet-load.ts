import { Receiver } from './domain';
import { sleep } from './wait-for';

/** Load and bookkeeping for the multi-process suites (test/fleet.long-spec.ts, test/soak.long-spec.ts). */

/** How one HTTP call ended: an HTTP status, or why there was none. */
export type Outcome =
  | { kind: 'status'; status: number; ms: number; retryAfter: string | null; body: string }
  | { kind: 'refused' | 'reset' | 'timeout' | 'other'; ms: number; error: string };

/** One bounded call (`timeoutMs`, default 5 s): never throws, classifies what happened instead. */
export async function callOnce(baseUrl: string, method: string, path: string, bearer: string, body?: unknown, timeoutMs = 5000): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { kind: 'status', status: res.status, ms: performance.now() - t0, retryAfter: res.headers.get('retry-after'), body: text };
  } catch (e) {
    const ms = performance.now() - t0;
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const detail = `${err.name}: ${err.message}${err.cause ? ` (${err.cause.code ?? ''} ${err.cause.message ?? ''})` : ''}`;
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return { kind: 'timeout', ms, error: detail };
    if (err.cause?.code === 'ECONNREFUSED') return { kind: 'refused', ms, error: detail };
    if (err.cause?.code === 'ECONNRESET' || err.cause?.code === 'UND_ERR_SOCKET' || /other side closed|socket hang up/i.test(detail))
      return { kind: 'reset', ms, error: detail };
    return { kind: 'other', ms, error: detail };
  }
}

/** The class a summary counts an outcome under: `2xx`, `4xx`, `429`, `503`, `5xx` (other than 503), or the error kind. */
export function outcomeClass(o: Outcome): string {
  if (o.kind !== 'status') return o.kind;
  if (o.status === 429 || o.status === 503) return String(o.status);
  return `${Math.floor(o.status / 100)}xx`;
}

export interface Attempt {
  start: number;
  end: number;
  status: number;
}

/**
 * A webhook receiver that records every attempt per `webhook-id` (start and end, receiver-side), answers after
 * `delayMs`, and fails the first attempt of the ids `failFirst` picks (so that retries happen).
 */
export class TrackingReceiver {
  private constructor(
    readonly receiver: Receiver,
    readonly attempts: Map<string, Attempt[]>,
  ) {}

  static async start(delayMs: number, failFirst: (id: string) => boolean = () => false): Promise<TrackingReceiver> {
    // The behaviour reads `attempts` from here; the receiver wraps the same map.
    const attempts = new Map<string, Attempt[]>();
    const r = await Receiver.start(async (req) => {
      const id = String(req.headers['webhook-id']);
      const start = Date.now();
      const list = attempts.get(id) ?? [];
      attempts.set(id, list);
      const status = list.length === 0 && failFirst(id) ? 503 : 200;
      const attempt = { start, end: Number.POSITIVE_INFINITY, status };
      list.push(attempt);
      await sleep(delayMs);
      attempt.end = Date.now();
      return { status };
    });
    return new TrackingReceiver(r, attempts);
  }

  get url(): string {
    return this.receiver.url;
  }

  /** Ids that reached the receiver with a 2xx answer at least once. */
  delivered(): Set<string> {
    return new Set([...this.attempts].filter(([, a]) => a.some((x) => x.status < 300)).map(([id]) => id));
  }

  /** Pairs of attempts of one id that overlapped in time (the second started before the first had been answered). */
  overlaps(): Array<{ id: string; first: Attempt; second: Attempt }> {
    const out: Array<{ id: string; first: Attempt; second: Attempt }> = [];
    for (const [id, list] of this.attempts) {
      const sorted = [...list].sort((a, b) => a.start - b.start);
      for (let i = 1; i < sorted.length; i += 1) if (sorted[i].start < sorted[i - 1].end) out.push({ id, first: sorted[i - 1], second: sorted[i] });
    }
    return out;
  }

  /** Successful receipts beyond the first, per id, summed (at-least-once delivery may repeat after a crash). */
  duplicates(): number {
    let n = 0;
    for (const list of this.attempts.values()) n += Math.max(0, list.filter((a) => a.status < 300).length - 1);
    return n;
  }

  close(): Promise<void> {
    return this.receiver.close();
  }
}

/** Sum of a Prometheus counter's samples in an exposition text, optionally filtered by one label value. */
export function counterSum(exposition: string, name: string, label?: [string, string]): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    if (label && !line.includes(`${label[0]}="${label[1]}"`)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
