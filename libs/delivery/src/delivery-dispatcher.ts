import { Inject, Injectable, Logger } from '@nestjs/common';
import { maskText } from '@app/config';
import { AttemptRecorder } from './attempt-recorder';
import { ChangeOnlyLog } from './change-only-log';
import { type ClaimedDelivery, DeliveryQueue } from './delivery-queue';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliverySlots } from './delivery-slots';
import { DELIVERY_WORKER_SETTINGS, type DeliveryWorkerSettings } from './delivery-worker.settings';
import { RetryPolicy } from './retry-policy';
import { SEND_RATE_MAX_WAIT_MS, type SendRateDecision, SendRateLimiter } from './send-rate-limiter';
import { DnsResolver } from './dns-resolver';
import { SsrfPolicy } from './ssrf-policy';
import { type SendResult, WebhookSender } from './webhook-sender';
import { signatureHeaders } from './webhook-signature';

/** A refused delivery comes back no sooner than this (its webhook is skipped by the claims meanwhile). */
const REQUEUE_MIN_MS = SEND_RATE_MAX_WAIT_MS / 2;
const REQUEUE_TRIES = 3;

/**
 * Sends one claimed delivery as async I/O while it holds a slot, and hands the outcome to the recorder: a slow
 * receiver occupies slots, not claim loops. A webhook with a send rate first gets a slot from the SendRateLimiter:
 * within SEND_RATE_MAX_WAIT_MS the delivery waits for it in process, further off it goes back to the queue.
 */
@Injectable()
export class DeliveryDispatcher {
  private readonly errors = new ChangeOnlyLog(new Logger('DeliveryWorker'));
  private readonly retry: RetryPolicy;
  private readonly sender: Pick<WebhookSender, 'send' | 'close'>;
  private readonly maxRateWaiting: number;

  constructor(
    @Inject(DELIVERY_WORKER_SETTINGS) settings: DeliveryWorkerSettings,
    private readonly slots: DeliverySlots,
    private readonly recorder: AttemptRecorder,
    private readonly metrics: DeliveryMetrics,
    @Inject(SendRateLimiter) private readonly limiter: Pick<SendRateLimiter, 'reserve'>,
    @Inject(DeliveryQueue) private readonly queue: Pick<DeliveryQueue, 'requeue'>,
  ) {
    this.retry = new RetryPolicy(settings.retrySchedule);
    const ssrf = new SsrfPolicy(settings.strict, settings.allowedCidrs);
    this.sender = new WebhookSender(settings.timeoutMs, ssrf, DnsResolver.system(settings.dns), settings.maxInFlight);
    this.maxRateWaiting = settings.maxRateWaiting ?? Math.max(1, Math.floor(settings.maxInFlight / 2));
  }

  dispatch(d: ClaimedDelivery): void {
    this.slots.acquire(d.webhook_id);
    const rate = d.rate_limit_per_second;
    const paced = rate !== null && rate !== undefined;
    void (paced ? this.pace(d, rate) : Promise.resolve<number | null>(Date.now()))
      .then((sendAt) => (sendAt === null ? undefined : this.send(d, sendAt)))
      .finally(() => this.slots.release(d.webhook_id));
  }

  close(): void {
    this.sender.close();
  }

  /** Waits for the delivery's send slot and returns its time (ms), or requeues it and returns null. */
  private async pace(d: ClaimedDelivery, rate: number): Promise<number | null> {
    const claimLimit = Math.ceil(rate / 2);
    // Past the bound on waiting deliveries, only a slot free right now is taken: the rest of the slots stay free
    // for the webhooks that can send.
    const maxWaitMs = this.slots.totalWaiting >= this.maxRateWaiting ? 0 : SEND_RATE_MAX_WAIT_MS;
    this.slots.startWaiting(d.webhook_id);
    let decision: SendRateDecision;
    try {
      decision = await this.limiter.reserve(d.webhook_id, rate, maxWaitMs);
      const waitMs = decision.admitted ? Math.min(decision.waitMs, SEND_RATE_MAX_WAIT_MS) : 0;
      if (waitMs > 0) {
        this.metrics.rateLimited.inc({ outcome: 'waited' });
        await new Promise((r) => setTimeout(r, waitMs));
      }
    } catch (e) {
      // The limiter falls back by itself; anything else must not send unpaced: back to the queue.
      this.errors.warn('send-rate check failed', e);
      decision = { admitted: false, retryInMs: 0 };
    } finally {
      this.slots.stopWaiting(d.webhook_id, claimLimit);
    }
    if (decision.admitted) return decision.slotMs;
    const delayMs = Math.max(REQUEUE_MIN_MS, decision.retryInMs + REQUEUE_MIN_MS);
    this.slots.block(d.webhook_id, delayMs);
    this.metrics.rateLimited.inc({ outcome: 'requeued' });
    await this.requeue(d, delayMs);
    return null;
  }

  /** Not requeued (database down): the lease expires and the reaper returns it to the queue. Late, never lost. */
  private async requeue(d: ClaimedDelivery, delayMs: number): Promise<void> {
    for (let attempt = 1; attempt <= REQUEUE_TRIES; attempt += 1) {
      try {
        await this.queue.requeue(d.id, d.lease_token, delayMs);
        return;
      } catch (e) {
        this.errors.warn(`requeueing a rate-limited delivery failed (try ${attempt}/${REQUEUE_TRIES})`, e);
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  /** `sendAt`: the request's send time (its send-rate slot when paced), signed as `webhook-timestamp`. */
  private send(d: ClaimedDelivery, sendAt: number): Promise<void> {
    // Any failure, even a synchronous throw (signing included), becomes a recorded failed attempt, never a stuck
    // lease or a lost slot.
    return Promise.resolve()
      .then(() => this.sender.send({ url: d.url, headers: this.headers(d, sendAt), body: d.payload }))
      .catch((e: unknown): SendResult => ({
        ok: false,
        statusCode: null,
        responseBody: null,
        error: e instanceof Error ? e.message : String(e),
        durationMs: 0,
        startedAt: new Date(),
      }))
      .then((result) => {
        const retryInMs = result.ok || result.statusCode === 410 ? null : this.retry.nextDelayMs(d.attempts - d.retry_base);
        this.metrics.attempt(result.ok, retryInMs !== null, d.created_at);
        this.recorder.record(
          {
            id: d.id,
            leaseToken: d.lease_token,
            success: result.ok,
            statusCode: result.statusCode,
            error: result.error ? maskText(result.error).slice(0, 1000) : null,
            responseBody: result.responseBody,
            durationMs: result.durationMs,
            startedAt: result.startedAt,
            retryInMs,
          },
          d.webhook_id,
        );
      });
  }

  private headers(d: ClaimedDelivery, sendAt: number): Record<string, string> {
    const secrets = [d.secret];
    if (d.previous_secret && d.previous_secret_expires_at && new Date(d.previous_secret_expires_at).getTime() > Date.now()) {
      secrets.push(d.previous_secret);
    }
    return {
      ...(d.headers ?? {}),
      'content-type': 'application/json',
      'user-agent': 'Signalgate-Webhooks/1',
      ...signatureHeaders(secrets, d.id, d.payload, sendAt),
    };
  }
}
