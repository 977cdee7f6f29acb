import { Inject, Injectable } from '@nestjs/common';
import { maskText } from '@app/config';
import { AttemptRecorder } from './attempt-recorder';
import type { ClaimedDelivery } from './delivery-queue';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliverySlots } from './delivery-slots';
import { DELIVERY_WORKER_SETTINGS, type DeliveryWorkerSettings } from './delivery-worker.settings';
import { RetryPolicy } from './retry-policy';
import { SsrfPolicy } from './ssrf-policy';
import { type SendResult, WebhookSender } from './webhook-sender';
import { signatureHeaders } from './webhook-signature';

/**
 * Sends one claimed delivery as async I/O while it holds a slot, and hands the outcome to the recorder: a slow
 * receiver occupies slots, not claim loops.
 */
@Injectable()
export class DeliveryDispatcher {
  private readonly retry: RetryPolicy;
  private readonly sender: Pick<WebhookSender, 'send' | 'close'>;

  constructor(
    @Inject(DELIVERY_WORKER_SETTINGS) settings: DeliveryWorkerSettings,
    private readonly slots: DeliverySlots,
    private readonly recorder: AttemptRecorder,
    private readonly metrics: DeliveryMetrics = new DeliveryMetrics(),
  ) {
    this.retry = new RetryPolicy(settings.retrySchedule);
    this.sender = new WebhookSender(settings.timeoutMs, new SsrfPolicy(settings.strict, settings.allowedCidrs), settings.maxInFlight);
  }

  dispatch(d: ClaimedDelivery): void {
    this.slots.acquire(d.webhook_id);
    // Any failure, even a synchronous throw (signing included), becomes a recorded failed attempt, never a stuck
    // lease or a lost slot.
    void Promise.resolve()
      .then(() => this.sender.send({ url: d.url, headers: this.headers(d), body: d.payload }))
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
      })
      .finally(() => this.slots.release(d.webhook_id));
  }

  close(): void {
    this.sender.close();
  }

  private headers(d: ClaimedDelivery): Record<string, string> {
    const secrets = [d.secret];
    if (d.previous_secret && d.previous_secret_expires_at && new Date(d.previous_secret_expires_at).getTime() > Date.now()) {
      secrets.push(d.previous_secret);
    }
    return {
      ...(d.headers ?? {}),
      'content-type': 'application/json',
      'user-agent': 'Signalgate-Webhooks/1',
      ...signatureHeaders(secrets, d.id, d.payload),
    };
  }
}
