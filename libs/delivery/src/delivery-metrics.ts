import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '@app/observability';

/** An attempt's outcome as counted: delivered, failed with a retry scheduled, or failed for good. */
export type AttemptOutcomeLabel = 'success' | 'retry' | 'failed';

export const RETENTION_TABLES = ['deliveries', 'delivery_attempts', 'alerts'] as const;

/** Alert accepted → delivered: seconds for a healthy receiver, up to the retry schedule's hours. */
export const DELIVERY_LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400];

/**
 * The delivery pipeline's Prometheus figures (docs/MONITORING.md). Counters and the latency histogram are updated
 * where the event happens (dispatcher, auto-disable); queue depth, the oldest due delivery's age and the pool are
 * gauges refreshed by DeliveryQueueSampler, the in-flight gauge is read from the slots at scrape time.
 * Without a MetricsService (unit specs) the figures go to a private registry nobody scrapes.
 */
@Injectable()
export class DeliveryMetrics {
  readonly service: MetricsService;
  readonly attempts: Counter<'outcome'>;
  readonly retriesScheduled: Counter;
  readonly webhooksDisabled: Counter<'reason'>;
  readonly latency: Histogram;
  readonly rateLimited: Counter<'outcome'>;
  readonly recovered: Counter;
  readonly expired: Counter;
  readonly inFlight: Gauge;
  readonly queueDepth: Gauge<'state'>;
  readonly oldestDueAge: Gauge;
  readonly retentionPruned: Counter<'table'>;
  /** What the in-flight gauge reports at scrape time (the slots, once the worker runs). */
  inFlightSource: () => number = () => 0;

  constructor(metrics: MetricsService) {
    this.service = metrics;
    const m = this.service;
    this.attempts = m.counter({
      name: 'signalgate_delivery_attempts_total',
      help: 'Webhook delivery attempts by outcome: success, retry (failed, retry scheduled), failed (failed for good).',
      labelNames: ['outcome'],
    });
    for (const outcome of ['success', 'retry', 'failed']) this.attempts.inc({ outcome }, 0);
    this.retriesScheduled = m.counter({ name: 'signalgate_delivery_retries_scheduled_total', help: 'Retries scheduled after a failed attempt.' });
    this.webhooksDisabled = m.counter({
      name: 'signalgate_webhooks_disabled_total',
      help: 'Webhooks disabled automatically, by reason: gone (receiver answered 410), failing (failed continuously).',
      labelNames: ['reason'],
    });
    for (const reason of ['gone', 'failing']) this.webhooksDisabled.inc({ reason }, 0);
    this.rateLimited = m.counter({
      name: 'signalgate_delivery_rate_limited_total',
      help: "Sends held back by a webhook's rate_limit_per_second, by outcome: waited (in process, up to 1 s, for its slot), requeued (no slot within 1 s: back in the queue, no attempt counted).",
      labelNames: ['outcome'],
    });
    for (const outcome of ['waited', 'requeued']) this.rateLimited.inc({ outcome }, 0);
    this.recovered = m.counter({
      name: 'signalgate_deliveries_recovered_total',
      help: 'Failed deliveries put back in the queue by a webhook recovery (POST /api/v1/webhooks/:id/recover).',
    });
    this.expired = m.counter({
      name: 'signalgate_deliveries_expired_total',
      help: 'Queued deliveries failed because their webhook stayed paused (is_active=false) longer than DELIVERY_PAUSED_EXPIRE_HOURS; no attempt is made or counted.',
    });
    this.latency = m.histogram({
      name: 'signalgate_delivery_latency_seconds',
      help: 'End-to-end delivery latency: alert accepted (delivery row created) to the receiver answering 2xx.',
      buckets: DELIVERY_LATENCY_BUCKETS,
    });
    const source = () => this.inFlightSource();
    this.inFlight = m.gauge({
      name: 'signalgate_deliveries_in_flight',
      help: 'Webhook requests this process is sending right now.',
      collect() {
        this.set(source());
      },
    });
    this.queueDepth = m.gauge({
      name: 'signalgate_delivery_queue_depth',
      help: 'Deliveries queued by state: pending (webhook active), paused (webhook not active), in_flight; sampled every 15 s, counts stop at 100000.',
      labelNames: ['state'],
    });
    this.oldestDueAge = m.gauge({
      name: 'signalgate_delivery_oldest_due_age_seconds',
      help: 'How long the oldest due pending delivery (of an active webhook) has been waiting, sampled every 15 s; 0 when none is due.',
    });
    this.retentionPruned = m.counter({
      name: 'signalgate_retention_pruned_rows_total',
      help: 'Rows deleted by the retention job, by table (deliveries, delivery_attempts, alerts).',
      labelNames: ['table'],
    });
    for (const table of RETENTION_TABLES) this.retentionPruned.inc({ table }, 0);
  }

  attempt(ok: boolean, retryScheduled: boolean, createdAt: Date | string | undefined): void {
    this.attempts.inc({ outcome: ok ? 'success' : retryScheduled ? 'retry' : 'failed' });
    if (retryScheduled) this.retriesScheduled.inc();
    if (ok && createdAt) {
      const seconds = (Date.now() - new Date(createdAt).getTime()) / 1000;
      if (Number.isFinite(seconds) && seconds >= 0) this.latency.observe(seconds);
    }
  }

  webhookDisabled(reason: 'gone' | 'failing'): void {
    this.webhooksDisabled.inc({ reason });
  }
}
