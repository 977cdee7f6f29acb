import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * A registered receiver (table from migrations 1732300000000-Init, 1732400000000-DeliveryQueue, 1732600000000-WebhookSendRate
 * and 1732800000000-WebhookMatchers). Describes the
 * schema exactly, names included: test/schema-drift.e2e-spec.ts fails on any difference. The index's DESC order lives
 * only in the migration (TypeORM cannot declare it; a backward scan serves the same queries).
 */
@Entity({ name: 'webhooks' })
@Check('webhooks_min_severity_ck', `min_severity IS NULL OR min_severity IN ('critical', 'high', 'warning', 'info')`)
@Check('webhooks_rate_limit_per_second_ck', `rate_limit_per_second IS NULL OR rate_limit_per_second BETWEEN 1 AND 10000`)
@Index('webhooks_created_at_idx', ['createdAt', 'id'])
export class WebhookEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'webhooks_pkey' }) id: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'text' }) url: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'text', array: true, name: 'event_types', default: () => "'{}'" }) eventTypes: string[];
  @Column({ type: 'varchar', length: 16, name: 'min_severity', nullable: true }) minSeverity: string | null;
  /** Canonical Alertmanager-syntax matchers, ANDed; empty = every alert (1732800000000-WebhookMatchers). */
  @Column({ type: 'text', array: true, default: () => "'{}'" }) matchers: string[];
  @Column({ type: 'jsonb', default: {} }) headers: Record<string, string>;
  @Column({ type: 'boolean', name: 'is_active', default: true }) isActive: boolean;
  /** Never serialized except in the create/rotate response. */
  @Column({ type: 'text', select: false }) secret: string;
  @Column({ type: 'text', name: 'previous_secret', nullable: true, select: false }) previousSecret: string | null;
  @Column({ type: 'timestamptz', name: 'previous_secret_expires_at', nullable: true }) previousSecretExpiresAt: Date | null;
  @Column({ type: 'varchar', length: 200, name: 'disabled_reason', nullable: true }) disabledReason: string | null;
  @Column({ type: 'timestamptz', name: 'disabled_at', nullable: true }) disabledAt: Date | null;
  /** Requests per second across every process; null = only the in-flight caps (docs/DELIVERY.md, "Send rate"). */
  @Column({ type: 'integer', name: 'rate_limit_per_second', nullable: true }) rateLimitPerSecond: number | null;
  @Column({ type: 'timestamptz', name: 'enabled_at', default: () => 'now()' }) enabledAt: Date;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}
