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
  while (performance.now() - t0 < timeoutMs) {
    try {
      const r = await probe(url, 5_000);
      if (r.status === status) return performance.now() - t0;
      last = `${r.status} ${r.text}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms; last: ${last}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
