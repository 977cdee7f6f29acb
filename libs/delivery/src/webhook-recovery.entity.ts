import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { WebhookEntity } from './webhook.entity';

export type RecoveryStatus = 'pending' | 'running' | 'completed';

/**
 * A request to requeue a webhook's deliveries that failed in a window (migration 1732500000000-WebhookRecoveries),
 * worked by WebhookRecoveryRunner. Describes the schema exactly: test/schema-drift.e2e-spec.ts fails on any difference.
 */
@Entity({ name: 'webhook_recoveries' })
@Check('webhook_recoveries_status_check', `status IN ('pending', 'running', 'completed')`)
// Same webhook + same window while one is open: the insert conflicts, and the caller gets the existing one.
@Index('webhook_recoveries_open_uq', ['webhookId', 'since', 'until'], { unique: true, where: `status IN ('pending', 'running')` })
@Index('webhook_recoveries_open_idx', ['createdAt'], { where: `status IN ('pending', 'running')` })
@Index('webhook_recoveries_webhook_idx', ['webhookId', 'createdAt'])
export class WebhookRecoveryEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'webhook_recoveries_pkey' }) id: string;
  @Column({ type: 'uuid', name: 'webhook_id' }) webhookId: string;
  @ManyToOne(() => WebhookEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'webhook_id', foreignKeyConstraintName: 'webhook_recoveries_webhook_id_fkey' })
  webhook?: WebhookEntity;
  @Column({ type: 'timestamptz' }) since: Date;
  /** As requested; 'infinity' when not given. The window ends at least(until, created_at). */
  @Column({ type: 'timestamptz' }) until: Date;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status: RecoveryStatus;
  @Column({ type: 'integer', default: 0 }) requeued: number;
  /** Keyset position: the (completed_at, id) of the last delivery requeued. */
  @Column({ type: 'timestamptz', name: 'cursor_at', nullable: true }) cursorAt: Date | null;
  @Column({ type: 'uuid', name: 'cursor_id', nullable: true }) cursorId: string | null;
  @Column({ type: 'uuid', name: 'lease_token', nullable: true }) leaseToken: string | null;
  @Column({ type: 'timestamptz', name: 'lease_expires_at', nullable: true }) leaseExpiresAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true }) completedAt: Date | null;
}
