import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChangeOnlyLog } from './change-only-log';
import { DeliveryDispatcher } from './delivery-dispatcher';
import { type ClaimedDelivery, DeliveryQueue } from './delivery-queue';
import { DeliverySlots } from './delivery-slots';
import { DELIVERY_WORKER_SETTINGS, type DeliveryWorkerSettings } from './delivery-worker.settings';

const SATURATED_RECHECK_MS = 20;

/**
 * DELIVERY_CONCURRENCY loops that only claim: each takes as many due deliveries as there are free slots (up to
 * DELIVERY_BATCH_SIZE) and hands them to the dispatcher, then looks again, or waits for a slot, new work or a poll.
 */
@Injectable()
export class DeliveryClaimLoop {
  private readonly errors = new ChangeOnlyLog(new Logger('DeliveryWorker'));
  private running = false;
  private loopsDone: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(DELIVERY_WORKER_SETTINGS)
    private readonly settings: Pick<DeliveryWorkerSettings, 'loops' | 'batchSize' | 'minClaim' | 'pollMs' | 'leaseMs' | 'maxPerWebhook'>,
    private readonly slots: DeliverySlots,
    private readonly queue: DeliveryQueue,
    private readonly dispatcher: DeliveryDispatcher,
  ) {}

  start(): void {
    this.running = true;
    this.loopsDone = Promise.all(Array.from({ length: this.settings.loops }, () => this.loop()));
  }

  /** Stops claiming; resolves once every loop has returned (requests already dispatched keep going). */
  async stop(): Promise<void> {
    this.running = false;
    this.slots.wakeAll();
    await this.loopsDone;
  }

  private async loop(): Promise<void> {
    const { slots, settings } = this;
    while (this.running) {
      // Slots being claimed by another loop count as taken, so the bound holds across loops.
      const free = slots.free;
      // Saturated: claim in batches (a quarter of the window at least), not one query per freed slot.
      if (free <= 0 || (slots.inFlight > 0 && free < settings.minClaim)) {
        await slots.slotFreed.wait(slots.slotFreed.current, settings.pollMs);
        continue;
      }
      // Generations and state as of the claim: whatever happens while it runs must not be missed.
      const seen = slots.wake.current;
      const room = slots.roomFreed.current;
      const capped = slots.anyWebhookAtCap();
      const contended = slots.contended;
      let batch: ClaimedDelivery[];
      const want = Math.min(free, settings.batchSize);
      slots.reserve(want);
      try {
        batch = await this.queue.claim(want, settings.leaseMs, settings.maxPerWebhook, slots.busy, slots);
      } catch (e) {
        this.errors.warn('claim failed', e);
        await slots.wake.wait(seen, Math.min(settings.pollMs, 1000));
        continue;
      } finally {
        slots.unreserve(want);
      }
      if (batch.length === 0) {
        if (contended) {
          // Another loop was claiming at the same time and may have taken (locked) the rows: look again shortly.
          await new Promise((r) => setTimeout(r, 2));
        } else if (capped) {
          // Everything due may belong to webhooks at their cap: wait until one has room for a batch, or for new
          // work (checked at most every 20 ms, so a burst of notifications does not become a burst of claims).
          await Promise.race([
            slots.roomFreed.wait(room, settings.pollMs),
            new Promise((r) => setTimeout(r, SATURATED_RECHECK_MS)).then(() => slots.wake.wait(seen, settings.pollMs)),
          ]);
        } else {
          await slots.wake.wait(seen, settings.pollMs);
        }
        continue;
      }
      for (const d of batch) this.dispatcher.dispatch(d);
    }
  }
}
