import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One HTTP attempt of a delivery; append-only (webhook health is computed from it). */
@Entity({ name: 'delivery_attempts' })
export class DeliveryAttemptEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ type: 'uuid', name: 'delivery_id' }) deliveryId: string;
  @Column({ type: 'uuid', name: 'webhook_id' }) webhookId: string;
  @Column({ type: 'integer' }) attempt: number;
  @Column({ type: 'boolean' }) success: boolean;
  @Column({ type: 'integer', name: 'status_code', nullable: true }) statusCode: number | null;
  @Column({ type: 'text', nullable: true }) error: string | null;
  @Column({ type: 'text', name: 'response_body', nullable: true }) responseBody: string | null;
  @Column({ type: 'integer', name: 'duration_ms' }) durationMs: number;
  @Column({ type: 'timestamptz', name: 'started_at' }) startedAt: Date;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
}
