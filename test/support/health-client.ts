import { sleep, waitFor } from './wait-for';
import { ReadinessService } from '@app/health';
import { reuseWindowMs } from '@app/health/readiness.service';

/** Small HTTP helpers for the health e2e specs: every call bounded, timing measured. */
export interface Probe<B = Record<string, unknown>> {
  status: number;
  body: B;
  text: string;
  headers: Headers;
  ms: number;
}

export async function probe<B = Record<string, unknown>>(url: string, timeoutMs = 10_000): Promise<Probe<B>> {
  const t0 = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  const ms = performance.now() - t0;
  let body: B;
  try {
    body = JSON.parse(text) as B;
  } catch {
    body = {} as B;
  }
  return { status: res.status, body, text, headers: res.headers, ms };
}

/** Polls `url` until it answers `status`; returns the time it took. Throws past `timeoutMs`. */
export async function untilStatus(url: string, status: number, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  let last = '';
  await waitFor(
    async () => {
      const r = await probe(url, 5_000).catch((e: unknown) => ({ status: 0, text: String(e) }));
      last = `${r.status} ${r.text}`;
      return r.status === status;
    },
    { timeoutMs, intervalMs: 25, what: () => `${url} to answer ${status}; last: ${last}` },
  );
  return performance.now() - t0;
}

export { sleep };

/**
 * Waits until the last readiness run finished longer ago than its reuse window (or there is none), so that the
 * next probe starts a fresh run instead of being served the last one. In-process apps only.
 */
export async function pastReuseWindow(readiness: ReadinessService, timeoutMs = 5_000): Promise<void> {
  const reuseMs = reuseWindowMs(readiness.deadlineMs);
  await waitFor(
    () => {
      const last = readiness.lastRun;
      return !last || performance.now() - last.finishedAt >= reuseMs;
    },
    { timeoutMs, intervalMs: 10, what: `the last readiness run to be older than its ${reuseMs} ms reuse window` },
  );
}
