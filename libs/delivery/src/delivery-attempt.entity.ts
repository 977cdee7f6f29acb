import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DeliveryEntity } from './delivery.entity';
import { WebhookEntity } from './webhook.entity';

/**
 * One HTTP attempt of a delivery; append-only (webhook health is computed from it). Describes the schema exactly,
 * names included: test/schema-drift.e2e-spec.ts fails on any difference. The indexes' DESC order lives only in the
 * migration (TypeORM cannot declare it; a backward scan serves the same queries).
 */
@Entity({ name: 'delivery_attempts' })
@Index('delivery_attempts_delivery_idx', ['deliveryId', 'id'])
// Health per webhook reads its latest attempts and its latest success: appends only, no hot row.
@Index('delivery_attempts_webhook_idx', ['webhookId', 'id'])
@Index('delivery_attempts_webhook_success_idx', ['webhookId', 'id'], { where: 'success' })
export class DeliveryAttemptEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'delivery_attempts_pkey' }) id: string;
  @Column({ type: 'uuid', name: 'delivery_id' }) deliveryId: string;
  @ManyToOne(() => DeliveryEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'delivery_id', foreignKeyConstraintName: 'delivery_attempts_delivery_id_fkey' })
  delivery?: DeliveryEntity;
  @Column({ type: 'uuid', name: 'webhook_id' }) webhookId: string;
  @ManyToOne(() => WebhookEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'webhook_id', foreignKeyConstraintName: 'delivery_attempts_webhook_id_fkey' })
  webhook?: WebhookEntity;
  @Column({ type: 'integer' }) attempt: number;
  @Column({ type: 'boolean' }) success: boolean;
  @Column({ type: 'integer', name: 'status_code', nullable: true }) statusCode: number | null;
  @Column({ type: 'text', nullable: true }) error: string | null;
  @Column({ type: 'text', name: 'response_body', nullable: true }) responseBody: string | null;
  @Column({ type: 'integer', name: 'duration_ms' }) durationMs: number;
  @Column({ type: 'timestamptz', name: 'started_at' }) startedAt: Date;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at', default: () => 'now()' }) createdAt: Date;
}
