import { Injectable, PayloadTooLargeException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TwoTierCache } from '@app/cache';
import type { Env } from '@app/config';
import { LiveEventBus } from '@app/redis';
import { type FieldErrors, ResourceNotFoundException, ValidationFailedException } from '../common/api-errors';
import type { Page } from '../common/cursor';
import { WithStatus } from '../common/with-status';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { deriveFingerprint } from './alert-fingerprint';
import { type AlertInput, type AlertView, toAlertSummary, toAlertView } from './alert.view';
import { AlertIntake } from './alert-intake';
import { fanOutEvents, mapAlertmanagerPayload, planAlertmanagerRounds } from './alertmanager-mapper';
import { type AlertTransition, AlertsRepository } from './alerts.repository';
import type { AcknowledgeAlertDto } from './dto/acknowledge-alert.dto';
import type { AlertmanagerPayloadDto } from './dto/alertmanager-payload.dto';
import type { CreateAlertDto } from './dto/create-alert.dto';
import type { ListAlertsDto } from './dto/list-alerts.dto';
import { IdempotencyKeyStore } from './idempotency-key.store';

type CreatedAlert = WithStatus<AlertView & { deduplicated: boolean }>;

@Injectable()
export class AlertsService {
  private readonly limits: { labels: number; labelValue: number; annotationValue: number; alertmanagerDeliveries: number };

  constructor(
    private readonly alerts: AlertsRepository,
    private readonly intake: AlertIntake,
    private readonly idempotencyKeys: IdempotencyKeyStore,
    private readonly deliveries: DeliveriesService,
    private readonly cache: TwoTierCache,
    private readonly live: LiveEventBus,
    config: ConfigService<Env, true>,
  ) {
    this.limits = {
      labels: config.get('ALERT_MAX_LABELS', { infer: true }),
      labelValue: config.get('ALERT_MAX_LABEL_VALUE_LENGTH', { infer: true }),
      annotationValue: config.get('ALERT_MAX_ANNOTATION_VALUE_LENGTH', { infer: true }),
      alertmanagerDeliveries: config.get('ALERTMANAGER_MAX_DELIVERIES', { infer: true }),
    };
  }

  /**
   * 201 with a new firing alert (and `alert.created` fanned out atomically with it), or 200 with the existing firing
   * alert of that fingerprint, its occurrence counted and nothing fanned out. With an Idempotency-Key, a repeat of
   * the same body gets the stored response; the same key with another body is refused (422).
   * Without a key the create joins a group commit (AlertIntake), which also drops the cache before answering; with
   * one it keeps its own transaction (the key's claim and the stored response commit with the alert).
   */
  async create(dto: CreateAlertDto, subject: string, idempotencyKey?: string): Promise<CreatedAlert> {
    this.checkMaps(dto.labels, dto.annotations, '');
    const input: AlertInput = {
      fingerprint: deriveFingerprint(dto),
      title: dto.title,
      severity: dto.severity,
      source: dto.source ?? null,
      description: dto.description ?? null,
      labels: dto.labels ?? {},
      annotations: dto.annotations ?? {},
      startsAt: dto.starts_at ?? null,
    };
    const answer = (view: AlertView, inserted: boolean): CreatedAlert => new WithStatus(inserted ? 201 : 200, { ...view, deduplicated: !inserted });
    const created = ({ alert, inserted }: Awaited<ReturnType<AlertsRepository['upsertFiring']>>): CreatedAlert => answer(toAlertView(alert), inserted);
    if (idempotencyKey === undefined) {
      const { view, inserted } = await this.intake.create(input);
      return this.announced(answer(view, inserted));
    }
    let replayed = false;
    const result = await this.alerts.transaction(async (tx) => {
      const replay = await this.idempotencyKeys.claim(tx, subject, idempotencyKey, dto);
      if (replay) {
        replayed = true;
        return replay as CreatedAlert;
      }
      const fresh = created(await this.alerts.upsertFiring(input, {}, tx));
      await this.idempotencyKeys.complete(tx, subject, idempotencyKey, fresh);
      return fresh;
    });
    if (replayed) return result;
    await this.changed(result.body.id);
    return this.announced(result);
  }

  /** After commit, before answering: the alert (or, without an id, every alert) and the first pages, everywhere. */
  private async changed(id?: string): Promise<void> {
    await Promise.all([this.cache.invalidate('alert', id), this.cache.invalidate('alerts-page')]);
  }

  /** After commit: the live dashboard hears of a new or deduplicated alert (a replayed response is not news). */
  private announced(result: CreatedAlert): CreatedAlert {
    const { deduplicated, ...view } = result.body;
    this.live.publish({ type: deduplicated ? 'alert.deduplicated' : 'alert.created', alert: toAlertSummary(view) });
    return result;
  }

  /**
   * Alertmanager webhook payload v4: firing alerts are created or refreshed by fingerprint, resolved ones resolve.
   * Written in batches (a multi-row upsert, a multi-row resolve) with the counts one-by-one processing would give.
   * A payload of firing alerts, each once (what Alertmanager sends), is one statement; others one transaction.
   */
  async ingestAlertmanager(payload: AlertmanagerPayloadDto) {
    payload.alerts.forEach((a, i) => this.checkMaps(a.labels, a.annotations, `alerts.${i}.`));
    const counts = { received: payload.alerts.length, created: 0, updated: 0, resolved: 0, ignored: 0 };
    const entries = (items: Array<{ count: number }>) => items.reduce((n, item) => n + item.count, 0);
    const rounds = planAlertmanagerRounds(mapAlertmanagerPayload(payload));
    if (rounds.length === 0) return counts;
    await this.checkAlertmanagerWork(rounds);
    const [only] = rounds;
    if (rounds.length === 1 && only.resolved.length === 0) {
      // The usual payload (each alert once, all firing): one statement, atomic on its own — one round trip, no BEGIN/COMMIT.
      const inserted = await this.alerts.upsertFiringCountCreated(only.firing, { refresh: true });
      counts.created = inserted;
      counts.updated = entries(only.firing) - inserted;
      return this.ingested(counts);
    }
    await this.alerts.transaction(async (tx) => {
      for (const round of rounds) {
        // An item inserts or updates once; its further entries are updates of the same row.
        const inserted = await this.alerts.upsertFiringCountCreated(round.firing, { refresh: true }, tx);
        counts.created += inserted;
        counts.updated += entries(round.firing) - inserted;
        // An item resolves once at most; its further entries find nothing firing.
        const resolved = (await this.alerts.resolveFiringMany(tx, round.resolved)).length;
        counts.resolved += resolved;
        counts.ignored += entries(round.resolved) - resolved;
      }
    });
    return this.ingested(counts);
  }

  /**
   * Bounds one payload's work before any write (bench/intake/ALERTMANAGER-FANOUT.md): each round is a statement or two
   * in one transaction, and each delivery a row written before the answer (~30-60 µs each here, whatever the SQL).
   * Alertmanager sends each alert once (one round); entries flipping status on one fingerprint make one round each.
   */
  private async checkAlertmanagerWork(rounds: ReturnType<typeof planAlertmanagerRounds>): Promise<void> {
    if (rounds.length > MAX_ALERTMANAGER_ROUNDS) {
      throw new PayloadTooLargeException(
        `one alert changes status ${rounds.length} times in this payload; at most ${MAX_ALERTMANAGER_ROUNDS} changes per alert are accepted in one payload`,
      );
    }
    const max = this.limits.alertmanagerDeliveries;
    const deliveries = await this.alerts.countFanOut(fanOutEvents(rounds));
    if (deliveries > max) {
      const alerts = payloadAlertsWithin(rounds, deliveries, max);
      throw new PayloadTooLargeException(
        `this payload would write ${deliveries} deliveries (new alerts and resolves times subscribed webhooks); at most ${max} (ALERTMANAGER_MAX_DELIVERIES) per payload: set max_alerts on Alertmanager's webhook_config to about ${alerts}`,
      );
    }
  }

  /**
   * After commit: a payload touches many alerts, so dropping the namespace is one message instead of one per alert;
   * dashboards get one event and re-read the firing list.
   */
  private async ingested<C extends { created: number; updated: number; resolved: number }>(counts: C): Promise<C> {
    if (counts.created + counts.updated + counts.resolved > 0) {
      await this.changed();
      this.live.publish({ type: 'alerts.bulk', ...counts });
    }
    return counts;
  }

  async list(q: ListAlertsDto): Promise<Page<AlertView>> {
    if (q.cursor !== undefined) return this.loadPage(q);
    const filter = Object.entries(q)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return this.cache.getOrLoad('alerts-page', JSON.stringify(filter), () => this.loadPage(q));
  }

  private async loadPage(q: ListAlertsDto): Promise<Page<AlertView>> {
    const { rows, next_cursor } = await this.alerts.list(q, q.limit ?? 100, q.cursor);
    return { items: rows.map(toAlertView), next_cursor };
  }

  /** Cache warming: the unfiltered first page, and each alert on it by id (from the page, no further query). */
  async warm(): Promise<number> {
    const page = await this.list({});
    await Promise.all(page.items.map((a) => this.cache.getOrLoad('alert', a.id, () => Promise.resolve(a))));
    return 1 + page.items.length;
  }

  /** The alert is cached; its deliveries (changed by the workers) are read each time. */
  async get(id: string) {
    const [alert, deliveries] = await Promise.all([
      this.cache.getOrLoad('alert', id, async () => {
        const row = await this.alerts.findById(id);
        if (!row) throw new ResourceNotFoundException('alert', id);
        return toAlertView(row);
      }),
      this.deliveries.forAlert(id),
    ]);
    return { ...alert, deliveries };
  }

  /** Idempotent: the first acknowledgement wins and fans out `alert.acknowledged`; repeats change nothing. */
  async acknowledge(id: string, dto: AcknowledgeAlertDto, subject: string): Promise<AlertView> {
    return this.transitioned(id, 'alert.acknowledged', await this.alerts.acknowledge(id, dto.by ?? subject, dto.note ?? null));
  }

  /** Idempotent: resolving a resolved alert changes nothing. */
  async resolve(id: string): Promise<AlertView> {
    return this.transitioned(id, 'alert.resolved', await this.alerts.resolve(id));
  }

  /**
   * After commit: a real change drops the cached alert and pages and tells the live dashboards. A repeat left the row
   * as it was: nothing to invalidate or announce, so the cached alert and pages stay (and stay right).
   */
  private async transitioned(id: string, type: 'alert.acknowledged' | 'alert.resolved', result: AlertTransition | null): Promise<AlertView> {
    if (!result) throw new ResourceNotFoundException('alert', id);
    const view = toAlertView(result.alert);
    if (result.changed) {
      await this.changed(id);
      this.live.publish({ type, alert: toAlertSummary(view) });
    }
    return view;
  }

  /** The configurable (smaller) limits on labels and annotations; the DTO holds the hard caps. */
  private checkMaps(labels: Record<string, string> | undefined, annotations: Record<string, string> | undefined, prefix: string): void {
    const errors: FieldErrors = {};
    const check = (name: string, map: Record<string, string> | undefined, maxValue: number) => {
      if (!map) return;
      const keys = Object.keys(map);
      if (keys.length > this.limits.labels) errors[`${prefix}${name}`] = [`at most ${this.limits.labels} entries`];
      const long = keys.find((k) => map[k].length > maxValue);
      if (long !== undefined) (errors[`${prefix}${name}`] ??= []).push(`value of "${long}" is longer than ${maxValue} characters`);
    };
    check('labels', labels, this.limits.labelValue);
    check('annotations', annotations, this.limits.annotationValue);
    if (Object.keys(errors).length) throw new ValidationFailedException(errors);
  }
}

/** Alertmanager never sends an alert twice in one payload: more status changes than this is not a real payload. */
export const MAX_ALERTMANAGER_ROUNDS = 10;

/** The payload size that would fit `max` deliveries, at this payload's deliveries per entry (at least 1). */
function payloadAlertsWithin(rounds: ReturnType<typeof planAlertmanagerRounds>, deliveries: number, max: number): number {
  const entries = rounds.reduce((n, r) => n + r.firing.reduce((m, i) => m + i.count, 0) + r.resolved.reduce((m, i) => m + i.count, 0), 0);
  return Math.max(1, Math.floor((max * entries) / deliveries));
}
