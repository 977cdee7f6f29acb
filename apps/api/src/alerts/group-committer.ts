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
}

export class GroupCommitQueueFullError extends Error {
  constructor(readonly maxQueued: number) {
    super(`group commit queue is full (${maxQueued} waiting)`);
    this.name = 'GroupCommitQueueFullError';
  }
}

interface Waiting<I, R> {
  item: I;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Async group commit: one write in flight at a time; items submitted meanwhile queue up and go together as the next
 * write when it finishes ("natural" batching: the batch is as large as the load, with no added latency when idle).
 * Each caller's promise settles only after its own item's write did. Hand-written: no package in node_modules (nor a
 * maintained one on npm) does group commit with per-item results, error isolation and a bounded queue.
 */
export class GroupCommitter<I, R> {
  private readonly queue: Array<Waiting<I, R>> = [];
  private inFlight = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: GroupCommitterOptions<I, R>) {
    if (options.maxSize < 1 || options.maxQueued < 1 || options.maxWaitMs < 0) throw new Error('GroupCommitter: invalid bounds');
  }

  /** Items waiting for a write (not counting the one in flight). */
  get queued(): number {
    return this.queue.length;
  }

  submit(item: I): Promise<R> {
    if (this.queue.length >= this.options.maxQueued) return Promise.reject(new GroupCommitQueueFullError(this.options.maxQueued));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
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
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = true;
    const batch = this.queue.splice(0, this.options.maxSize);
    void this.run(batch).finally(() => {
      this.inFlight = false;
      // What gathered during the write goes now, without waiting: it has waited one write already.
      if (this.queue.length) this.flush();
    });
  }

  private async run(batch: Array<Waiting<I, R>>): Promise<void> {
    let results: Array<Settled<R>>;
    try {
      results = await this.options.write(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`GroupCommitter: write settled ${results.length} of ${batch.length} items`);
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const r = results[i];
      if (r.ok) w.resolve(r.value);
      else w.reject(r.error);
    });
  }
}
