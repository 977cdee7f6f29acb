import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * An alert (table from migrations 1732300000000-Init and 1732400000000-DeliveryQueue). Describes the schema exactly,
 * names included: test/schema-drift.e2e-spec.ts fails on any difference. The indexes' DESC order lives only in the
 * migrations (TypeORM cannot declare it; a backward scan serves the same queries).
 */
@Entity({ name: 'alerts' })
@Check('alerts_severity_check', `severity IN ('critical', 'high', 'warning', 'info')`)
@Check('alerts_status_check', `status IN ('firing', 'resolved')`)
// At most one firing alert per fingerprint: the dedup rule, enforced by the database (race-free).
@Index('alerts_firing_fingerprint_uq', ['fingerprint'], { unique: true, where: `status = 'firing'` })
@Index('alerts_created_at_idx', ['createdAt', 'id'])
@Index('alerts_status_created_idx', ['status', 'createdAt', 'id'])
// Retention walks resolved alerts by age (migration 1732700000000-RetentionIndexes).
@Index('alerts_resolved_at_idx', ['resolvedAt', 'id'], { where: `status = 'resolved'` })
export class AlertEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'alerts_pkey' }) id: string;
  @Column({ type: 'varchar', length: 128 }) fingerprint: string;
  @Column({ type: 'varchar', length: 500 }) title: string;
  @Column({ type: 'varchar', length: 16 }) severity: string;
  @Column({ type: 'varchar', length: 16, default: 'firing' }) status: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) source: string | null;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'jsonb', default: {} }) labels: Record<string, string>;
  @Column({ type: 'jsonb', default: {} }) annotations: Record<string, string>;
  @Column({ type: 'integer', default: 1 }) occurrences: number;
  @Column({ type: 'timestamptz', name: 'starts_at', default: () => 'now()' }) startsAt: Date;
  @Column({ type: 'timestamptz', name: 'resolved_at', nullable: true }) resolvedAt: Date | null;
  @Column({ type: 'timestamptz', name: 'acknowledged_at', nullable: true }) acknowledgedAt: Date | null;
  @Column({ type: 'varchar', length: 200, name: 'acknowledged_by', nullable: true }) acknowledgedBy: string | null;
  @Column({ type: 'text', name: 'acknowledgement_note', nullable: true }) acknowledgementNote: string | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}
