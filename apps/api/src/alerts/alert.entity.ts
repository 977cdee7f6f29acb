import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** An alert (table from migration 1732300000000-Init). At most one firing alert per fingerprint (partial unique index). */
@Entity({ name: 'alerts' })
export class AlertEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 128 }) fingerprint: string;
  @Column({ type: 'varchar', length: 500 }) title: string;
  @Column({ type: 'varchar', length: 16 }) severity: string;
  @Column({ type: 'varchar', length: 16, default: 'firing' }) status: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) source: string | null;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'jsonb' }) labels: Record<string, string>;
  @Column({ type: 'jsonb' }) annotations: Record<string, string>;
  @Column({ type: 'integer', default: 1 }) occurrences: number;
  @Column({ type: 'timestamptz', name: 'starts_at' }) startsAt: Date;
  @Column({ type: 'timestamptz', name: 'resolved_at', nullable: true }) resolvedAt: Date | null;
  @Column({ type: 'timestamptz', name: 'acknowledged_at', nullable: true }) acknowledgedAt: Date | null;
  @Column({ type: 'varchar', length: 200, name: 'acknowledged_by', nullable: true }) acknowledgedBy: string | null;
  @Column({ type: 'text', name: 'acknowledgement_note', nullable: true }) acknowledgementNote: string | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}
