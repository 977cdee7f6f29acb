/** A lookup that could not get a slot in time: local saturation, not an answer (never cached; the delivery retries). */
export class DnsBusyError extends Error {
  readonly code = 'EDNSBUSY';
}

interface Waiter {
  start: () => void;
  fail: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Bounds DNS lookups in flight: at most `maxRunning` at once, at most `maxWaiting` waiting for a slot, and none
 * waiting longer than `maxWaitMs`. Past either bound a lookup fails at once with DnsBusyError instead of queueing.
 */
export class DnsLookupSlots {
  private running = 0;
  /** Insertion-ordered: FIFO, and a waiter that times out leaves in O(1). */
  private readonly waiting = new Set<Waiter>();

  constructor(
    private readonly maxRunning: number,
    private readonly maxWaiting: number,
    private readonly maxWaitMs: number,
  ) {}

  get inUse(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.maxRunning) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.size >= this.maxWaiting || this.maxWaitMs === 0) {
      return Promise.reject(new DnsBusyError(`DNS lookups saturated (${this.running} running, ${this.waiting.size} waiting)`));
    }
    return new Promise<void>((start, fail) => {
      const waiter: Waiter = {
        start,
        fail,
        timer: setTimeout(() => {
          this.waiting.delete(waiter);
          fail(new DnsBusyError(`no DNS lookup slot within ${this.maxWaitMs} ms (${this.running} running)`));
        }, this.maxWaitMs),
      };
      this.waiting.add(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.values().next();
    if (next.done) {
      this.running -= 1;
      return;
    }
    // The slot passes straight to the oldest waiter.
    const waiter = next.value;
    this.waiting.delete(waiter);
    clearTimeout(waiter.timer);
    waiter.start();
  }
}
