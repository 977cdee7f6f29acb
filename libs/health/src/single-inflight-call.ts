import { maskText } from '@app/config';
import { DeadlineExceededError, withDeadline } from '@app/redis';

/** What one bounded call to a dependency came to. `latencyMs` is measured from the caller's start. */
export type BoundedOutcome<T> = { ok: true; value: T; latencyMs: number } | { ok: false; error: string; timedOut: boolean; latencyMs: number };

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * One dependency's calls, bounded twice: each caller waits at most `deadlineMs`, and at most ONE underlying call
 * is in flight at any time. A caller that arrives while a previous call is still pending (a server that accepted
 * the connection and never answered) waits on that same call instead of starting another, so a hung dependency
 * probed again and again holds one connection, not one per probe. The underlying call ends on its own bound
 * (pg `query_timeout`, ioredis `commandTimeout`), after which the next caller starts a fresh one.
 */
export class SingleInflightCall<T> {
  private inflight: Promise<Settled<T>> | undefined;
  /** How many underlying calls were started (for tests and the deep probe). */
  started = 0;

  constructor(private readonly name: string) {}

  get pending(): boolean {
    return this.inflight !== undefined;
  }

  async run(start: () => Promise<T>, deadlineMs: number): Promise<BoundedOutcome<T>> {
    const t0 = performance.now();
    const call = this.inflight ?? this.begin(start);
    let settled: Settled<T>;
    try {
      settled = await withDeadline(call, deadlineMs, this.name);
    } catch (e) {
      // `call` never rejects (begin() settles it into a value): only the deadline lands here.
      const reason = e instanceof DeadlineExceededError ? e.reason : describe(e);
      return { ok: false, timedOut: e instanceof DeadlineExceededError, latencyMs: Math.round(performance.now() - t0), error: reason };
    }
    const latencyMs = Math.round(performance.now() - t0);
    if (settled.ok) return { ok: true, value: settled.value, latencyMs };
    return { ok: false, timedOut: false, latencyMs, error: describe(settled.error) };
  }

  private begin(start: () => Promise<T>): Promise<Settled<T>> {
    this.started += 1;
    let promise: Promise<T>;
    try {
      promise = start();
    } catch (e) {
      promise = Promise.reject(e);
    }
    const settled = promise.then(
      (value): Settled<T> => ({ ok: true, value }),
      (error: unknown): Settled<T> => ({ ok: false, error }),
    );
    this.inflight = settled;
    void settled.then(() => {
      if (this.inflight === settled) this.inflight = undefined;
    });
    return settled;
  }

  toString(): string {
    return `SingleInflightCall(${this.name})`;
  }
}

function describe(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return maskText(message || (e instanceof Error ? e.name : 'unknown error'));
}
