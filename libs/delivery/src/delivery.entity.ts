import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { WebhookEntity } from './webhook.entity';

export type DeliveryStatus = 'pending' | 'in_flight' | 'succeeded' | 'failed';

/**
 * One event for one webhook: the outbox row and the queue entry (migration 1732400000000-DeliveryQueue). Describes the
 * schema exactly, names included: test/schema-drift.e2e-spec.ts fails on any difference. The indexes' DESC order lives
 * only in the migration (TypeORM cannot declare it; a backward scan serves the same queries).
 */
@Entity({ name: 'deliveries' })
@Check('deliveries_status_check', `status IN ('pending', 'in_flight', 'succeeded', 'failed')`)
// Claims probe each active webhook's due rows; the reaper reads only leased ones. Both indexes stay small.
@Index('deliveries_webhook_due_idx', ['webhookId', 'nextAttemptAt'], { where: `status = 'pending'` })
// A recovery walks one webhook's failed deliveries, oldest failure first (migration 1732500000000).
@Index('deliveries_webhook_failed_idx', ['webhookId', 'completedAt', 'id'], { where: `status = 'failed'` })
@Index('deliveries_lease_idx', ['leaseExpiresAt'], { where: `status = 'in_flight'` })
@Index('deliveries_webhook_idx', ['webhookId', 'createdAt', 'id'])
@Index('deliveries_alert_idx', ['alertId'])
@Index('deliveries_created_idx', ['createdAt', 'id'])
// Retention walks finished deliveries by age (migration 1732700000000-RetentionIndexes).
@Index('deliveries_completed_idx', ['status', 'completedAt', 'id'], { where: 'completed_at IS NOT NULL' })
export class DeliveryEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'deliveries_pkey' }) id: string;
  @Column({ type: 'uuid', name: 'webhook_id' }) webhookId: string;
  @ManyToOne(() => WebhookEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'webhook_id', foreignKeyConstraintName: 'deliveries_webhook_id_fkey' })
  webhook?: WebhookEntity;
  /** REFERENCES alerts: the table is named, not its entity imported (libs never import apps). */
  @ForeignKey('alerts', { name: 'deliveries_alert_id_fkey', onDelete: 'SET NULL' })
  @Column({ type: 'uuid', name: 'alert_id', nullable: true })
  alertId: string | null;
  @Column({ type: 'varchar', length: 64, name: 'event_type' }) eventType: string;
  /** The exact body sent (and signed) on every attempt. */
  @Column({ type: 'text' }) payload: string;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status: DeliveryStatus;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  /** Attempts made before the last manual retry; the retry schedule restarts from there. */
  @Column({ type: 'integer', name: 'retry_base', default: 0 }) retryBase: number;
  @Column({ type: 'timestamptz', name: 'next_attempt_at', default: () => 'now()' }) nextAttemptAt: Date;
  @Column({ type: 'uuid', name: 'lease_token', nullable: true }) leaseToken: string | null;
  @Column({ type: 'timestamptz', name: 'lease_expires_at', nullable: true }) leaseExpiresAt: Date | null;
  @Column({ type: 'integer', name: 'last_status_code', nullable: true }) lastStatusCode: number | null;
  @Column({ type: 'text', name: 'last_error', nullable: true }) lastError: string | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true }) completedAt: Date | null;
}
