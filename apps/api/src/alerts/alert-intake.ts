import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TwoTierCache } from '@app/cache';
import type { Env } from '@app/config';
import { QUERY_TIMEOUT_MARGIN_MS } from '@app/database';
import { classifyError } from '../common/dependency-errors';
import { type AlertInput, toAlertView } from './alert.view';
import { AlertsRepository } from './alerts.repository';
import { GroupCommitQueueFullError, GroupCommitter, GroupCommitTimeoutError, type Settled } from './group-committer';
import { type GroupOutcome, type IntakeGroup, type IntakeResult, planIntakeRounds, settleIntake } from './intake-batch';

/**
 * Group commit of alert creates (without Idempotency-Key): concurrent requests are written together, usually in one
 * multi-row statement (dedup, insert, fan-out and notify) and one commit, and each gets the answer one-by-one
 * processing would give it, only after its own row is committed and the cache dropped.
 */
@Injectable()
export class AlertIntake {
  private readonly committer: GroupCommitter<AlertInput, IntakeResult>;

  constructor(
    private readonly alerts: AlertsRepository,
    private readonly cache: TwoTierCache,
    config: ConfigService<Env, true>,
  ) {
    this.committer = new GroupCommitter({
      write: (inputs) => this.write(inputs),
      maxSize: config.get('INTAKE_BATCH_MAX_SIZE', { infer: true }),
      maxWaitMs: config.get('INTAKE_BATCH_MAX_WAIT_MS', { infer: true }),
      maxQueued: config.get('INTAKE_QUEUE_MAX', { infer: true }),
      afterWrite: (_, results) => this.dropCached(results),
      // A caller queued behind a write that hangs (PostgreSQL frozen) would wait for that write and then its own:
      // each caller gets its answer within the one request bound, queued or not.
      resultTimeoutMs: config.get('DB_REQUEST_TIMEOUT_MS', { infer: true }) + QUERY_TIMEOUT_MARGIN_MS,
    });
  }

  /** Creates waiting in the group-commit queue, not yet taken into a write (observable by tests). */
  get queued(): number {
    return this.committer.queued;
  }

  async create(input: AlertInput): Promise<IntakeResult> {
    try {
      return await this.committer.submit(input);
    } catch (error) {
      if (error instanceof GroupCommitQueueFullError) throw new ServiceUnavailableException('alert intake is saturated; retry later');
      if (error instanceof GroupCommitTimeoutError) throw new ServiceUnavailableException('database did not answer in time; retry later');
      throw error;
    }
  }

  private async write(inputs: AlertInput[]): Promise<Array<Settled<IntakeResult>>> {
    const rounds = planIntakeRounds(inputs);
    const outcomes = new Map<IntakeGroup, GroupOutcome>();
    let outage: unknown;
    for (const round of rounds) {
      // After an outage the later rounds would fail the same way: their requests get that error without a try.
      if (outage !== undefined) round.forEach((g) => outcomes.set(g, { ok: false, error: outage }));
      else outage = await this.writeRound(round, outcomes);
    }
    return settleIntake(inputs, rounds, outcomes);
  }

  /**
   * After commit, before any answer: one page drop per batch, and each deduplicated alert by id. A new alert's id
   * cannot be cached anywhere (the database made it just now, and a lookup that found nothing stored nothing), so an
   * alert storm of new alerts costs no Redis round trip per alert. The next batch is written meanwhile.
   */
  private async dropCached(results: Array<Settled<IntakeResult>>): Promise<void> {
    const written = results.flatMap((r) => (r.ok ? [r.value] : []));
    if (written.length === 0) return;
    const created = new Set(written.flatMap((r) => (r.inserted ? [r.view.id] : [])));
    const updated = new Set(written.flatMap((r) => (created.has(r.view.id) ? [] : [r.view.id])));
    await Promise.all([...[...updated].map((id) => this.cache.invalidate('alert', id)), this.cache.invalidate('alerts-page')]);
  }

  /** One statement for the round; if a value in it is refused (SQLSTATE class 22), each group alone so only the bad one fails. Returns an outage error. */
  private async writeRound(round: IntakeGroup[], outcomes: Map<IntakeGroup, GroupOutcome>): Promise<unknown> {
    try {
      await this.upsert(round, outcomes);
      return undefined;
    } catch (error) {
      if (round.length === 1 || classifyError(error)?.kind !== 'data') {
        round.forEach((g) => outcomes.set(g, { ok: false, error }));
        return classifyError(error)?.kind === 'data' ? undefined : error;
      }
    }
    for (const group of round) {
      try {
        await this.upsert([group], outcomes);
      } catch (error) {
        outcomes.set(group, { ok: false, error });
      }
    }
    return undefined;
  }

  private async upsert(groups: IntakeGroup[], outcomes: Map<IntakeGroup, GroupOutcome>): Promise<void> {
    const rows = await this.alerts.upsertFiringMany(
      groups.map((g) => ({ alert: g.alert, count: g.count })),
      { announceFirstOccurrence: true },
    );
    groups.forEach((g, i) => outcomes.set(g, { ok: true, view: toAlertView(rows[i].alert), inserted: rows[i].inserted }));
  }
}
