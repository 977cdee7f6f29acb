import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Pool } from 'pg';
import { type Env, maskText, parseCidrList, parseRetrySchedule } from '@app/config';
import { DATABASE_CONTEXT, type DatabaseContext, DatabaseConnector } from '@app/database';
import { DeliveryNotifier } from './delivery-notifier';
import { type AttemptOutcome, type ClaimedDelivery, DeliveryQueue } from './delivery-queue';
import { RetryPolicy } from './retry-policy';
import { SsrfPolicy } from './ssrf-policy';
import { WakeSignal } from './wake-signal';
import { WebhookSender } from './webhook-sender';
import { signatureHeaders } from './webhook-signature';

/** `api`: claim loops per DELIVERY_CONCURRENCY (0 = off). `standalone` (`cli worker`): at least one loop. */
export const DELIVERY_WORKER_MODE = Symbol('DELIVERY_WORKER_MODE');
export type DeliveryWorkerMode = 'api' | 'standalone';

const COMPLETION_BATCH = 500;
const SATURATED_RECHECK_MS = 20;

/**
 * Claims due deliveries and sends them. The claim loops only claim; each claimed delivery is sent as async I/O, so
 * in-flight requests are bounded by DELIVERY_MAX_IN_FLIGHT (and per webhook), not by the number of loops: a slow
 * receiver occupies slots, not loops. Outcomes are recorded in batches, fenced by each claim's lease token.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeliveryWorker');
  private readonly loops: number;
  private readonly maxInFlight: number;
  private readonly maxPerWebhook: number;
  private readonly batchSize: number;
  private readonly minClaim: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly reaperMs: number;
  private readonly disableAfterMs: number;
  private readonly disableCheckIntervalMs: number;
  private readonly idempotencyTtlHours: number;
  private readonly retry: RetryPolicy;
  private readonly sender: WebhookSender;
  private notifier?: DeliveryNotifier;
  private pool?: Pool;

  private running = false;
  private inFlight = 0;
  private reserved = 0;
  private readonly perWebhook = new Map<string, number>();
  private readonly wake = new WakeSignal();
  private readonly slotFreed = new WakeSignal();
  /** A webhook at its in-flight cap came down to three quarters of it. */
  private readonly roomFreed = new WakeSignal();
  private outcomes: AttemptOutcome[] = [];
  private flushing?: Promise<void>;
  private loopsDone: Promise<unknown> = Promise.resolve();
  private reaperTimer?: NodeJS.Timeout;
  private readonly lastDisableCheck = new Map<string, number>();
  /** Last error logged per activity (claim, reaper, ...): each is logged when it changes, not on every poll. */
  private readonly lastLoggedError = new Map<string, string>();

  constructor(
    config: ConfigService<Env, true>,
    private readonly connector: DatabaseConnector,
    @Inject(DATABASE_CONTEXT) private readonly database: DatabaseContext,
    @Inject(DELIVERY_WORKER_MODE) mode: DeliveryWorkerMode,
  ) {
    const get = <K extends keyof Env>(k: K) => config.get(k, { infer: true }) as Env[K];
    const concurrency = get('DELIVERY_CONCURRENCY');
    this.loops = mode === 'standalone' ? Math.max(1, concurrency) : concurrency;
    this.maxInFlight = get('DELIVERY_MAX_IN_FLIGHT');
    this.maxPerWebhook = Math.min(get('DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK'), this.maxInFlight);
    this.batchSize = get('DELIVERY_BATCH_SIZE');
    this.minClaim = Math.max(1, Math.min(this.batchSize, Math.floor(this.maxInFlight / 4)));
    this.pollMs = get('DELIVERY_POLL_INTERVAL_MS');
    const timeoutMs = get('WEBHOOK_TIMEOUT_MS');
    // A lease shorter than a request could expire mid-send and let a second worker start the same delivery.
    this.leaseMs = Math.max(get('DELIVERY_LEASE_MS'), timeoutMs + 5000);
    this.reaperMs = get('DELIVERY_REAPER_INTERVAL_MS');
    this.disableAfterMs = get('WEBHOOK_DISABLE_AFTER_HOURS') * 3_600_000;
    // How often one webhook's failure streak is measured: rarely (it reads the attempt log), but often enough
    // relative to the threshold that disabling is not late by much.
    this.disableCheckIntervalMs = Math.min(30_000, Math.max(100, this.disableAfterMs / 4));
    this.idempotencyTtlHours = get('IDEMPOTENCY_TTL_HOURS');
    this.retry = new RetryPolicy(parseRetrySchedule(get('WEBHOOK_RETRY_SCHEDULE')) ?? [0]);
    const ssrf = new SsrfPolicy(get('STRICT'), parseCidrList(get('WEBHOOK_ALLOWED_CIDRS')) ?? []);
    this.sender = new WebhookSender(timeoutMs, ssrf, this.maxInFlight);
  }

  get enabled(): boolean {
    return this.loops > 0;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.running = true;
    void this.connector.whenReady().then(() => {
      if (!this.running) return;
      const env = this.database.env;
      this.pool = new Pool({
        connectionString: this.database.url,
        application_name: `${env.DB_APPLICATION_NAME}-delivery`,
        // Claims (one per loop), the completion batch, the reaper and health checks.
        max: this.loops + 3,
        connectionTimeoutMillis: env.DB_CONNECT_TIMEOUT_MS,
        idleTimeoutMillis: 30_000,
        keepAlive: true,
        statement_timeout: env.DB_STATEMENT_TIMEOUT_MS || undefined,
        query_timeout: env.DB_STATEMENT_TIMEOUT_MS ? env.DB_STATEMENT_TIMEOUT_MS + 5000 : undefined,
      });
      this.pool.on('error', (e) => this.logError('idle delivery connection error', e));
      this.notifier = new DeliveryNotifier(this.database.url, `${env.DB_APPLICATION_NAME}-listen`, env.DB_CONNECT_TIMEOUT_MS, () =>
        this.wake.notify(),
      );
      this.notifier.start();
      this.loopsDone = Promise.all(Array.from({ length: this.loops }, () => this.claimLoop()));
      const reap = () => {
        void this.reap().finally(() => {
          if (this.running) this.reaperTimer = setTimeout(reap, this.reaperMs);
        });
      };
      reap();
      this.logger.log(`delivery worker started: ${this.loops} claim loop(s), up to ${this.maxInFlight} requests in flight`);
    });
  }

  /** Drain: stop claiming, let in-flight requests finish (each is bounded by WEBHOOK_TIMEOUT_MS), record them. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.reaperTimer);
    this.wake.notify();
    this.slotFreed.notify();
    this.roomFreed.notify();
    await this.loopsDone;
    while (this.inFlight > 0) await this.slotFreed.wait(this.slotFreed.current, 50);
    await this.flush();
    await this.notifier?.stop();
    await this.pool?.end().catch(() => undefined);
    this.sender.close();
  }

  private async claimLoop(): Promise<void> {
    while (this.running) {
      // Slots being claimed by another loop count as taken, so the bound holds across loops.
      const free = this.maxInFlight - this.inFlight - this.reserved;
      // Saturated: claim in batches (a quarter of the window at least), not one query per freed slot.
      if (free <= 0 || (this.inFlight > 0 && free < this.minClaim)) {
        await this.slotFreed.wait(this.slotFreed.current, this.pollMs);
        continue;
      }
      // Generations and state as of the claim: whatever happens while it runs must not be missed.
      const seen = this.wake.current;
      const room = this.roomFreed.current;
      const capped = this.saturated().length > 0;
      const contended = this.reserved > 0;
      let batch: ClaimedDelivery[];
      const want = Math.min(free, this.batchSize);
      this.reserved += want;
      try {
        batch = await this.claim(want);
      } catch (e) {
        this.logError('claim failed', e);
        await this.wake.wait(seen, Math.min(this.pollMs, 1000));
        continue;
      } finally {
        this.reserved -= want;
      }
      if (batch.length === 0) {
        if (contended) {
          // Another loop was claiming at the same time and may have taken (locked) the rows: look again shortly.
          await new Promise((r) => setTimeout(r, 2));
        } else if (capped) {
          // Everything due may belong to webhooks at their cap: wait until one has room for a batch, or for new
          // work (checked at most every 20 ms, so a burst of notifications does not become a burst of claims).
          await Promise.race([
            this.roomFreed.wait(room, this.pollMs),
            new Promise((r) => setTimeout(r, SATURATED_RECHECK_MS)).then(() => this.wake.wait(seen, this.pollMs)),
          ]);
        } else {
          await this.wake.wait(seen, this.pollMs);
        }
        continue;
      }
      for (const d of batch) this.dispatch(d);
    }
  }

  private saturated(): string[] {
    const out: string[] = [];
    for (const [id, n] of this.perWebhook) if (n >= this.maxPerWebhook) out.push(id);
    return out;
  }

  private async claim(limit: number): Promise<ClaimedDelivery[]> {
    return DeliveryQueue.claim(this.db, limit, this.leaseMs, this.maxPerWebhook, this.perWebhook);
  }

  private get db(): Pool {
    if (!this.pool) throw new Error('delivery worker not started');
    return this.pool;
  }

  private dispatch(d: ClaimedDelivery): void {
    this.inFlight += 1;
    this.perWebhook.set(d.webhook_id, (this.perWebhook.get(d.webhook_id) ?? 0) + 1);
    const secrets = [d.secret];
    if (d.previous_secret && d.previous_secret_expires_at && new Date(d.previous_secret_expires_at).getTime() > Date.now()) {
      secrets.push(d.previous_secret);
    }
    const headers: Record<string, string> = {
      ...(d.headers ?? {}),
      'content-type': 'application/json',
      'user-agent': 'Signalgate-Webhooks/1',
      ...signatureHeaders(secrets, d.id, d.payload),
    };
    // Any failure, even a synchronous throw, becomes a recorded failed attempt rather than a stuck lease.
    void Promise.resolve()
      .then(() => this.sender.send({ url: d.url, headers, body: d.payload }))
      .catch((e: unknown) => ({
        ok: false,
        statusCode: null,
        responseBody: null,
        error: e instanceof Error ? e.message : String(e),
        durationMs: 0,
        startedAt: new Date(),
      }))
      .then((result) => {
        const retryInMs = result.ok || result.statusCode === 410 ? null : this.retry.nextDelayMs(d.attempts - d.retry_base);
        this.record(
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
      .finally(() => {
        this.inFlight -= 1;
        const n = (this.perWebhook.get(d.webhook_id) ?? 1) - 1;
        if (n <= 0) this.perWebhook.delete(d.webhook_id);
        else this.perWebhook.set(d.webhook_id, n);
        if (n === Math.floor((this.maxPerWebhook * 3) / 4)) this.roomFreed.notify();
        this.slotFreed.notify();
      });
  }

  private readonly webhookOf = new Map<string, string>();

  private record(outcome: AttemptOutcome, webhookId: string): void {
    this.webhookOf.set(outcome.id, webhookId);
    this.outcomes.push(outcome);
    if (!this.flushing) this.flushing = this.flush().finally(() => (this.flushing = undefined));
  }

  private async flush(): Promise<void> {
    while (this.outcomes.length > 0) {
      const batch = this.outcomes.splice(0, COMPLETION_BATCH);
      let recorded: Set<string> | undefined;
      for (let attempt = 1; attempt <= 5 && !recorded; attempt += 1) {
        try {
          recorded = await DeliveryQueue.complete(this.db, batch);
        } catch (e) {
          this.logError(`recording ${batch.length} attempt(s) failed (try ${attempt}/5)`, e);
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
      // Unrecorded outcomes are dropped: their leases expire and the reaper requeues them (a duplicate, not a loss).
      const webhookIds = batch.map((o) => this.webhookOf.get(o.id));
      for (const o of batch) this.webhookOf.delete(o.id);
      if (!recorded) continue;
      await this.afterFailures(batch, webhookIds, recorded);
    }
  }

  /** 410 disables at once; continuous failure past WEBHOOK_DISABLE_AFTER_HOURS disables too (checked sparingly). */
  private async afterFailures(batch: AttemptOutcome[], webhookIds: Array<string | undefined>, recorded: Set<string>): Promise<void> {
    const gone = new Set<string>();
    const failing = new Set<string>();
    batch.forEach((o, i) => {
      const w = webhookIds[i];
      if (!w || o.success || !recorded.has(o.id)) return;
      if (o.statusCode === 410) gone.add(w);
      else failing.add(w);
    });
    if (gone.size === 0 && failing.size === 0) return;
    const runner = this.db;
    try {
      for (const w of gone) {
        await DeliveryQueue.disableWebhook(runner, w, 'receiver answered 410 Gone');
        this.logger.warn(`webhook ${w} disabled: receiver answered 410 Gone`);
      }
      const now = Date.now();
      for (const w of failing) {
        if (gone.has(w) || now - (this.lastDisableCheck.get(w) ?? 0) < this.disableCheckIntervalMs) continue;
        this.lastDisableCheck.set(w, now);
        const { rows: [row] } = (await runner.query(
          `WITH last_ok AS (SELECT coalesce(max(id), 0) AS id FROM delivery_attempts WHERE webhook_id = $1 AND success)
           SELECT min(a.started_at) AS failing_since FROM delivery_attempts a, last_ok, webhooks w
           WHERE a.webhook_id = $1 AND a.id > last_ok.id AND w.id = $1 AND a.started_at >= w.enabled_at`,
          [w],
        )) as { rows: Array<{ failing_since: Date | null }> };
        if (row?.failing_since && now - new Date(row.failing_since).getTime() >= this.disableAfterMs) {
          const hours = Math.round((this.disableAfterMs / 3_600_000) * 100) / 100;
          await DeliveryQueue.disableWebhook(runner, w, `failing continuously for ${hours} h`);
          this.logger.warn(`webhook ${w} disabled: failing continuously for ${hours} h`);
        }
      }
    } catch (e) {
      this.logError('webhook health update failed', e);
    }
  }

  private async reap(): Promise<void> {
    const runner = this.db;
    try {
      const n = await DeliveryQueue.reapExpiredLeases(runner);
      if (n > 0) this.logger.warn(`returned ${n} delivery(ies) with expired leases to the queue`);
      // Housekeeping rides along: expired Idempotency-Keys, a bounded batch at a time.
      await runner.query(
        `DELETE FROM idempotency_keys WHERE (subject, key) IN (
           SELECT subject, key FROM idempotency_keys WHERE created_at < now() - $1 * interval '1 hour' LIMIT 1000)`,
        [this.idempotencyTtlHours],
      );
    } catch (e) {
      this.logError('reaper failed', e);
    }
  }

  private logError(what: string, e: unknown): void {
    const text = `${what}: ${maskText(e instanceof Error ? e.message : String(e))}`;
    if (text !== this.lastLoggedError.get(what)) this.logger.warn(text);
    this.lastLoggedError.set(what, text);
  }
}
