/**
 * A wake-up with no lost notifications: a waiter passes the generation it saw before looking for work, and returns
 * at once if a notification arrived since.
 */
export class WakeSignal {
  private generation = 0;
  private waiters: Array<() => void> = [];

  get current(): number {
    return this.generation;
  }

  notify(): void {
    this.generation += 1;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  wait(seenGeneration: number, timeoutMs: number): Promise<void> {
    if (this.generation !== seenGeneration) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}
