/** When the next attempt happens, from WEBHOOK_RETRY_SCHEDULE: entry n is the delay before attempt n+1. */
export class RetryPolicy {
  constructor(
    private readonly schedule: number[],
    private readonly jitter = 0.2,
    private readonly random: () => number = Math.random,
  ) {}

  get maxAttempts(): number {
    return this.schedule.length;
  }

  /** Delay before the next attempt after `attemptsMade` failures, or null when the delivery has failed for good. */
  nextDelayMs(attemptsMade: number): number | null {
    if (attemptsMade >= this.schedule.length) return null;
    const base = this.schedule[attemptsMade];
    const factor = 1 + (this.random() * 2 - 1) * this.jitter;
    return Math.max(0, Math.round(base * factor));
  }
}
