import { Inject, Injectable } from '@nestjs/common';
import { DELIVERY_WORKER_SETTINGS, type DeliveryWorkerSettings } from './delivery-worker.settings';
import { WakeSignal } from './wake-signal';

/**
 * In-flight accounting for one process: requests being sent (in total and per webhook) plus slots reserved by claims
 * still running, so DELIVERY_MAX_IN_FLIGHT holds across claim loops. Also the wake-ups the claim loops wait on.
 */
@Injectable()
export class DeliverySlots {
  /** New work may be due (NOTIFY after commit, or shutdown). */
  readonly wake = new WakeSignal();
  /** A request finished. */
  readonly slotFreed = new WakeSignal();
  /** A webhook at its in-flight cap came down to three quarters of it. */
  readonly roomFreed = new WakeSignal();

  private sending = 0;
  private reservedSlots = 0;
  private readonly perWebhook = new Map<string, number>();
  /** Rate-limited deliveries holding a slot while they wait for their send time (or for the limiter's answer). */
  private readonly waitingPerWebhook = new Map<string, number>();
  private waitingTotal = 0;
  /** Rate-limited webhooks with no send slot free for a while: the claim skips them until the timer lifts it. */
  private readonly blockedUntil = new Map<string, NodeJS.Timeout>();
  private readonly maxInFlight: number;
  private readonly maxPerWebhook: number;
  private readonly roomAt: number;

  constructor(@Inject(DELIVERY_WORKER_SETTINGS) settings: Pick<DeliveryWorkerSettings, 'maxInFlight' | 'maxPerWebhook'>) {
    this.maxInFlight = settings.maxInFlight;
    this.maxPerWebhook = settings.maxPerWebhook;
    this.roomAt = Math.floor((this.maxPerWebhook * 3) / 4);
  }

  get inFlight(): number {
    return this.sending;
  }

  /** Slots neither sending nor reserved by a claim in progress. */
  get free(): number {
    return this.maxInFlight - this.sending - this.reservedSlots;
  }

  /** Another claim is in progress (it may hold row locks this one skips). */
  get contended(): boolean {
    return this.reservedSlots > 0;
  }

  /** What this process has in flight per webhook (the claim subtracts it from each webhook's cap). */
  get busy(): ReadonlyMap<string, number> {
    return this.perWebhook;
  }

  /** Per webhook, how many of its deliveries wait for their send-rate slot (the claim takes fewer of them). */
  get waiting(): ReadonlyMap<string, number> {
    return this.waitingPerWebhook;
  }

  get totalWaiting(): number {
    return this.waitingTotal;
  }

  /** Webhooks the claim must skip for now (their send rate has no slot free within the in-process wait). */
  get blocked(): string[] {
    return [...this.blockedUntil.keys()];
  }

  startWaiting(webhookId: string): void {
    this.waitingTotal += 1;
    this.waitingPerWebhook.set(webhookId, (this.waitingPerWebhook.get(webhookId) ?? 0) + 1);
  }

  /**
   * `claimLimit`: what one claim takes of this webhook. Once half of that has left the wait, the claim loops are woken
   * to take more: a paced webhook is refilled a few times a second, not once per send nor once per poll.
   */
  stopWaiting(webhookId: string, claimLimit: number): void {
    this.waitingTotal -= 1;
    const n = (this.waitingPerWebhook.get(webhookId) ?? 1) - 1;
    if (n <= 0) this.waitingPerWebhook.delete(webhookId);
    else this.waitingPerWebhook.set(webhookId, n);
    if (n === Math.floor(claimLimit / 2)) this.wake.notify();
  }

  /** Skips the webhook in claims for `ms`, then wakes the claim loops (its requeued deliveries are due by then). */
  block(webhookId: string, ms: number): void {
    clearTimeout(this.blockedUntil.get(webhookId));
    const timer = setTimeout(() => {
      this.blockedUntil.delete(webhookId);
      this.wake.notify();
    }, ms);
    timer.unref();
    this.blockedUntil.set(webhookId, timer);
  }

  anyWebhookAtCap(): boolean {
    for (const n of this.perWebhook.values()) if (n >= this.maxPerWebhook) return true;
    return false;
  }

  /** Holds `n` slots for a claim in progress; `unreserve` them when it returns (its rows are then `acquire`d). */
  reserve(n: number): void {
    this.reservedSlots += n;
  }

  unreserve(n: number): void {
    this.reservedSlots -= n;
  }

  acquire(webhookId: string): void {
    this.sending += 1;
    this.perWebhook.set(webhookId, (this.perWebhook.get(webhookId) ?? 0) + 1);
  }

  release(webhookId: string): void {
    this.sending -= 1;
    const n = (this.perWebhook.get(webhookId) ?? 1) - 1;
    if (n <= 0) this.perWebhook.delete(webhookId);
    else this.perWebhook.set(webhookId, n);
    if (n === this.roomAt) this.roomFreed.notify();
    this.slotFreed.notify();
  }

  /** Wakes every waiting claim loop (shutdown). */
  wakeAll(): void {
    for (const timer of this.blockedUntil.values()) clearTimeout(timer);
    this.blockedUntil.clear();
    this.wake.notify();
    this.slotFreed.notify();
    this.roomFreed.notify();
  }

  /** Resolves once nothing is in flight. */
  async drained(): Promise<void> {
    while (this.sending > 0) await this.slotFreed.wait(this.slotFreed.current, 50);
  }
}
