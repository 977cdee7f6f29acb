/** The one polling helper of the e2e suites. */
export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 50 ms). */
  intervalMs?: number;
  /** Named in the timeout error: "timed out after N ms waiting for <what>" (a function: computed then). */
  what?: string | (() => string);
}

/** Thrown by a predicate, ends the wait at once (the process being waited on has exited, say). */
export class GiveUp extends Error {}

/**
 * Calls `predicate` until it returns a truthy value, and returns that value. A throw counts as "not yet" (a port
 * not listening yet, a row not there yet) and the last one is quoted in the timeout error; a `GiveUp` ends it.
 * `waitFor(check, 5000, 'what')` is the older spelling of `waitFor(check, { timeoutMs: 5000, what: 'what' })`.
 */
export async function waitFor<T>(
  predicate: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: WaitOptions | number = {},
  what?: string,
): Promise<T> {
  const o: WaitOptions = typeof options === 'number' ? { timeoutMs: options, what } : options;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const intervalMs = o.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await predicate();
      if (v) return v;
    } catch (e) {
      if (e instanceof GiveUp) throw e;
      last = e;
    }
    if (Date.now() >= deadline) {
      const because = last === undefined ? '' : `: ${last instanceof Error ? last.message : String(last)}`;
      const subject = typeof o.what === 'function' ? o.what() : (o.what ?? 'a condition');
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${subject}${because}`);
    }
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A pause that IS the test's subject, never an ordering barrier: the test imposes a timeline ("stay idle 2 s and
 * show nothing happens", "past a TTL", "past a reuse window"). `why` names it for the reader; the assertion that
 * follows must be able to fail. To wait for something to have happened, use `waitFor` on its observable state.
 */
export async function letTimePass(ms: number, why: string): Promise<void> {
  if (!why) throw new Error('letTimePass: say why the test lets time pass');
  await sleep(ms);
}
