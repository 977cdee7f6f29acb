import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type DeliveryStatus = 'pending' | 'in_flight' | 'succeeded' | 'failed';

/** One event for one webhook: the outbox row and the queue entry (migration 1732400000000-DeliveryQueue). */
@Entity({ name: 'deliveries' })
export class DeliveryEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid', name: 'webhook_id' }) webhookId: string;
  @Column({ type: 'uuid', name: 'alert_id', nullable: true }) alertId: string | null;
  @Column({ type: 'varchar', length: 64, name: 'event_type' }) eventType: string;
  /** The exact body sent (and signed) on every attempt. */
  @Column({ type: 'text' }) payload: string;
  @Column({ type: 'varchar', length: 16 }) status: DeliveryStatus;
  @Column({ type: 'integer' }) attempts: number;
  /** Attempts made before the last manual retry; the retry schedule restarts from there. */
  @Column({ type: 'integer', name: 'retry_base' }) retryBase: number;
  @Column({ type: 'timestamptz', name: 'next_attempt_at' }) nextAttemptAt: Date;
  @Column({ type: 'uuid', name: 'lease_token', nullable: true }) leaseToken: string | null;
  @Column({ type: 'timestamptz', name: 'lease_expires_at', nullable: true }) leaseExpiresAt: Date | null;
  @Column({ type: 'integer', name: 'last_status_code', nullable: true }) lastStatusCode: number | null;
  @Column({ type: 'text', name: 'last_error', nullable: true }) lastError: string | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true }) completedAt: Date | null;
}
