import { Injectable, Logger } from '@nestjs/common';
import { ChangeOnlyLog } from './change-only-log';
import { DeliveryOutcomeFeed } from './delivery-outcome-feed';
import { type AttemptOutcome, DeliveryQueue } from './delivery-queue';
import { WebhookAutoDisable } from './webhook-auto-disable';

export const COMPLETION_BATCH = 500;
export const COMPLETION_TRIES = 5;

/** An attempt's outcome and the webhook it went to. */
export interface RecordedAttempt {
  outcome: AttemptOutcome;
  webhookId: string;
}

/**
 * Records outcomes in batches: whatever finished while the previous write ran goes out in the next statement (up to
 * COMPLETION_BATCH), so a busy worker writes one statement per batch, not one per delivery. Each write is fenced by
 * the lease tokens (the repository returns only the outcomes whose lease was still theirs) and retried a few times.
 */
@Injectable()
export class AttemptRecorder {
  private readonly errors = new ChangeOnlyLog(new Logger('DeliveryWorker'));
  private pending: RecordedAttempt[] = [];
  private flushing?: Promise<void>;

  constructor(
    private readonly queue: DeliveryQueue,
    private readonly autoDisable: WebhookAutoDisable,
    private readonly feed: DeliveryOutcomeFeed,
  ) {}

  record(outcome: AttemptOutcome, webhookId: string): void {
    this.pending.push({ outcome, webhookId });
    if (!this.flushing) this.flushing = this.flush().finally(() => (this.flushing = undefined));
  }

  /** Resolves once everything recorded so far has been written (or given up on). */
  async drain(): Promise<void> {
    await this.flushing;
    await this.flush();
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, COMPLETION_BATCH);
      const outcomes = batch.map((a) => a.outcome);
      let recorded: Set<string> | undefined;
      for (let attempt = 1; attempt <= COMPLETION_TRIES && !recorded; attempt += 1) {
        try {
          recorded = await this.queue.complete(outcomes);
        } catch (e) {
          this.errors.warn(`recording ${batch.length} attempt(s) failed (try ${attempt}/${COMPLETION_TRIES})`, e);
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
      // Unrecorded outcomes are dropped: their leases expire and the reaper requeues them (a duplicate, not a loss).
      if (!recorded) continue;
      const fenced = recorded;
      // Committed: the live dashboard may hear of them (coalesced).
      for (const a of batch) if (fenced.has(a.outcome.id)) this.feed.record(a.webhookId, a.outcome.success);
      await this.autoDisable.afterRecorded(batch.filter((a) => fenced.has(a.outcome.id)));
    }
  }
}
