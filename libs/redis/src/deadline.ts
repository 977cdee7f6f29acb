/** The rejection of `withDeadline` when the work did not settle in time (callers tell it apart from the work's own errors). */
export class DeadlineExceededError extends Error {
  /** "timed out after N ms", without the name of the work: for outputs whose field or line already says what timed out. */
  readonly reason: string;

  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} timed out after ${ms} ms`);
    this.reason = `timed out after ${ms} ms`;
    this.name = 'DeadlineExceededError';
  }
}

/**
 * `work`, or a DeadlineExceededError after `ms`: a slow dependency never holds the caller longer than that. The timer
 * is cleared as soon as either side settles (no timer outlives the call). The work itself is not cancelled: give the
 * client its own timeout too where it has one.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new DeadlineExceededError(what, ms)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
