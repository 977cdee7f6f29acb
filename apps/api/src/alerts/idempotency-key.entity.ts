import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A stored Idempotency-Key outcome per caller (table from migration 1732400000000-DeliveryQueue). Describes the
 * schema exactly: test/schema-drift.e2e-spec.ts fails on any difference.
 */
@Entity({ name: 'idempotency_keys' })
@Index('idempotency_keys_created_idx', ['createdAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 200, primaryKeyConstraintName: 'idempotency_keys_pkey' }) subject: string;
  @PrimaryColumn({ type: 'varchar', length: 255, primaryKeyConstraintName: 'idempotency_keys_pkey' }) key: string;
  /** SHA-256 hex of the request, so a reused key with a different body is refused. */
  @Column({ type: 'char', length: 64, name: 'request_hash' }) requestHash: string;
  @Column({ type: 'integer', name: 'status_code', nullable: true }) statusCode: number | null;
  @Column({ type: 'jsonb', nullable: true }) response: object | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at', default: () => 'now()' }) createdAt: Date;
}
