import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { DeliveryOutbox, NOTIFY_SQL, WebhookEntity } from '@app/delivery';
import { ensureDatabaseReady } from '../common/database-ready';
import { keysetPage, type KeysetPage } from '../common/keyset-page';
import { entitiesFromReturned, selectableProperties } from '../common/returned-rows';

/** What a PATCH may change; `isActive` switches the disable/re-enable bookkeeping too. */
export interface WebhookChanges {
  name?: string;
  url?: string;
  description?: string | null;
  eventTypes?: string[];
  minSeverity?: string | null;
  /** Canonical matcher strings (libs/routing). */
  matchers?: string[];
  headers?: Record<string, string>;
  /** Requests per second across every process; null = only the in-flight caps. */
  rateLimitPerSecond?: number | null;
  isActive?: boolean;
}

export type NewWebhook = Required<Omit<WebhookChanges, 'isActive'>> & { isActive: boolean; secret: string };

export type TestPingOutcome = { queued: true; deliveryId: string } | { queued: false; reason: 'not_found' | 'disabled' };

/** Every query of the webhooks feature (health has its own repository). */
@Injectable()
export class WebhooksRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(WebhookEntity) private readonly webhooks: Repository<WebhookEntity>,
    private readonly outbox: DeliveryOutbox,
  ) {}

  private ready(): Repository<WebhookEntity> {
    ensureDatabaseReady(this.dataSource);
    return this.webhooks;
  }

  async insert(values: NewWebhook): Promise<WebhookEntity> {
    const result = await this.ready()
      .createQueryBuilder()
      .insert()
      .into(WebhookEntity)
      .values(values as QueryDeepPartialEntity<WebhookEntity>)
      .returning(selectableProperties(this.webhooks))
      .updateEntity(false)
      .execute();
    return entitiesFromReturned(this.webhooks, result.raw)[0];
  }

  page(limit: number, cursor: string | undefined): Promise<KeysetPage<WebhookEntity>> {
    return keysetPage(this.ready().createQueryBuilder('w'), limit, cursor);
  }

  count(): Promise<number> {
    return this.ready().count();
  }

  findById(id: string): Promise<WebhookEntity | null> {
    return this.ready().findOneBy({ id });
  }

  exists(id: string): Promise<boolean> {
    return this.ready().existsBy({ id });
  }

  /** Applies `changes` in one UPDATE and returns the row as it now is; undefined when there is no such webhook. */
  async update(id: string, changes: WebhookChanges): Promise<WebhookEntity | undefined> {
    const { isActive, ...fields } = changes;
    // The CASE/coalesce expressions read the row as it was before this UPDATE (PostgreSQL evaluates SET on the old row).
    const set: QueryDeepPartialEntity<WebhookEntity> = { ...fields };
    if (isActive === true) {
      // Re-enabling starts a fresh health record: earlier failures no longer count.
      Object.assign(set, { isActive: true, enabledAt: () => 'CASE WHEN is_active THEN enabled_at ELSE now() END', disabledReason: null, disabledAt: null });
    } else if (isActive === false) {
      // An already disabled webhook keeps the reason and time it was first disabled with.
      Object.assign(set, {
        isActive: false,
        disabledReason: () => 'coalesce(disabled_reason, :apiDisabledReason)',
        disabledAt: () => 'coalesce(disabled_at, now())',
      });
    }
    const result = await this.ready()
      .createQueryBuilder()
      .update(WebhookEntity)
      .set(set)
      .where({ id })
      .setParameter('apiDisabledReason', 'disabled through the API')
      .returning(selectableProperties(this.webhooks))
      .updateEntity(false)
      .execute();
    const row = entitiesFromReturned(this.webhooks, result.raw)[0];
    // Its paused deliveries are due again now: wake the workers rather than leave them to the next poll. Raw SQL:
    // pg_notify has no TypeORM form.
    if (row && isActive === true) await this.dataSource.query(NOTIFY_SQL);
    return row;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.ready().delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /** The current secret becomes the previous one, valid for `overlapHours` more; `secret` signs from now on. */
  async rotateSecret(id: string, secret: string, overlapHours: number): Promise<WebhookEntity | undefined> {
    const result = await this.ready()
      .createQueryBuilder()
      .update(WebhookEntity)
      .set({ previousSecret: () => 'secret', previousSecretExpiresAt: () => 'now() + make_interval(hours => :overlapHours)', secret })
      .where({ id })
      .setParameter('overlapHours', overlapHours)
      .returning(selectableProperties(this.webhooks))
      .updateEntity(false)
      .execute();
    return entitiesFromReturned(this.webhooks, result.raw)[0];
  }

  /**
   * Queues a `webhook.test` delivery if the webhook exists and is active. The row is share-locked until commit, so
   * a concurrent DELETE or disable waits rather than racing the insert (a deleted webhook would be a 500).
   */
  async enqueueTestPing(id: string, data: object): Promise<TestPingOutcome> {
    ensureDatabaseReady(this.dataSource);
    return this.dataSource.transaction(async (manager) => {
      const webhook = await manager.findOne(WebhookEntity, { where: { id }, select: { id: true, isActive: true }, lock: { mode: 'pessimistic_read' } });
      if (!webhook) return { queued: false, reason: 'not_found' } as const;
      if (!webhook.isActive) return { queued: false, reason: 'disabled' } as const;
      if (!manager.queryRunner) throw new Error('a transaction always has its query runner');
      return { queued: true, deliveryId: await this.outbox.enqueueTest(manager.queryRunner, id, data) } as const;
    });
  }
}
