/** One item's outcome of a batch write: its own value or its own error, so one bad item fails alone. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitterOptions<I, R> {
  /** Writes a batch (in arrival order) and settles every item, in the same order. A throw fails the whole batch. */
  write: (items: I[]) => Promise<Array<Settled<R>>>;
  /** Most items in one write. */
  maxSize: number;
  /** How long an idle committer waits for company before writing; 0: the first item is written at once. */
  maxWaitMs: number;
  /** Most items waiting (not yet written); past it `submit` refuses with `GroupCommitQueueFullError`. */
  maxQueued: number;
  /**
   * Work after a write and before its callers settle (dropping caches after commit, say). It runs outside the write
   * slot: the next batch is written meanwhile, so this latency is not added to every write's turn. A throw fails the
   * batch's items.
   */
  afterWrite?: (items: I[], results: Array<Settled<R>>) => Promise<void>;
  /**
   * Longest a caller waits for its item's outcome (0: no bound); past it `submit` rejects with
   * `GroupCommitTimeoutError`. An item still queued then is never written; one whose write is in flight may still be
   * committed (as with any timed-out statement), but its caller was told nothing it could take as success.
   */
  resultTimeoutMs?: number;
}

export class GroupCommitQueueFullError extends Error {
  constructor(readonly maxQueued: number) {
    super(`group commit queue is full (${maxQueued} waiting)`);
    this.name = 'GroupCommitQueueFullError';
  }
}

export class GroupCommitTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    /** False: the item's write was in flight, and may have been committed. */
    readonly neverWritten: boolean,
  ) {
    super(`group commit gave no outcome within ${timeoutMs} ms`);
    this.name = 'GroupCommitTimeoutError';
  }
}

interface Waiting<I, R> {
  item: I;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
  timer?: NodeJS.Timeout;
  /** Still in the queue (not yet taken into a write). */
  queued: boolean;
  /** Its caller was answered (by the write, or by its timeout). */
  done: boolean;
}

/**
 * Async group commit: one write in flight at a time; items submitted meanwhile queue up and go together as the next
 * write when it finishes ("natural" batching: the batch is as large as the load, with no added latency when idle).
 * Each caller's promise settles only after its own item's write did. Hand-written: no package in node_modules (nor a
 * maintained one on npm) does group commit with per-item results, error isolation and a bounded queue.
 */
export class GroupCommitter<I, R> {
  private readonly queue: Array<Waiting<I, R>> = [];
  /** Items of `queue` whose callers timed out: skipped when the next batch is taken. */
  private expiredQueued = 0;
  private inFlight = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: GroupCommitterOptions<I, R>) {
    if (options.maxSize < 1 || options.maxQueued < 1 || options.maxWaitMs < 0) throw new Error('GroupCommitter: invalid bounds');
  }

  /** Items waiting for a write (not counting the one in flight). */
  get queued(): number {
    return this.queue.length - this.expiredQueued;
  }

  submit(item: I): Promise<R> {
    if (this.queued >= this.options.maxQueued) return Promise.reject(new GroupCommitQueueFullError(this.options.maxQueued));
    return new Promise<R>((resolve, reject) => {
      const waiting: Waiting<I, R> = { item, resolve, reject, queued: true, done: false };
      const timeoutMs = this.options.resultTimeoutMs ?? 0;
      if (timeoutMs > 0) waiting.timer = setTimeout(() => this.expire(waiting, timeoutMs), timeoutMs);
      this.queue.push(waiting);
      this.schedule();
    });
  }

  private expire(w: Waiting<I, R>, timeoutMs: number): void {
    if (w.done) return;
    w.done = true;
    if (w.queued) this.expiredQueued += 1;
    w.reject(new GroupCommitTimeoutError(timeoutMs, w.queued));
  }

  private settle(w: Waiting<I, R>, result: Settled<R>): void {
    if (w.done) return;
    w.done = true;
    clearTimeout(w.timer);
    if (result.ok) w.resolve(result.value);
    else w.reject(result.error);
  }

  private schedule(): void {
    if (this.inFlight) return;
    if (this.options.maxWaitMs === 0 || this.queue.length >= this.options.maxSize) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight) return;
    const batch = this.take();
    if (batch.length === 0) return;
    this.inFlight = true;
    void this.run(batch);
  }

  /** The next batch: up to maxSize items from the head of the queue, those whose callers timed out dropped. */
  private take(): Array<Waiting<I, R>> {
    const batch: Array<Waiting<I, R>> = [];
    let taken = 0;
    while (taken < this.queue.length && batch.length < this.options.maxSize) {
      const w = this.queue[taken++];
      w.queued = false;
      if (w.done) this.expiredQueued -= 1;
      else batch.push(w);
    }
    this.queue.splice(0, taken);
    return batch;
  }

  /** The slot is freed once the write settles; what gathered meanwhile goes at once (it has waited one write already). */
  private release(): void {
    this.inFlight = false;
    if (this.queue.length) this.flush();
  }

  private async run(batch: Array<Waiting<I, R>>): Promise<void> {
    const items = batch.map((w) => w.item);
    let results: Array<Settled<R>>;
    let released = false;
    try {
      results = await this.options.write(items);
      if (results.length !== batch.length) throw new Error(`GroupCommitter: write settled ${results.length} of ${batch.length} items`);
      released = true;
      this.release();
      await this.options.afterWrite?.(items, results);
    } catch (error) {
      if (!released) this.release();
      for (const w of batch) this.settle(w, { ok: false, error });
      return;
    }
    batch.forEach((w, i) => this.settle(w, results[i]));
  }
}
