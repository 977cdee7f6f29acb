import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recovery of failed deliveries (issue 13): one row per "requeue what failed in this window" request, worked in the
 * background by the delivery workers under a lease, with a keyset cursor so a restart resumes where it stopped.
 */
export class WebhookRecoveries1732500000000 implements MigrationInterface {
  name = 'WebhookRecoveries1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_recoveries (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id       uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        since            timestamptz NOT NULL,
        -- as requested; 'infinity' when not given. The window ends at least(until, created_at).
        until            timestamptz NOT NULL,
        status           varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed')),
        requeued         integer NOT NULL DEFAULT 0,
        -- keyset position: the (completed_at, id) of the last delivery requeued
        cursor_at        timestamptz,
        cursor_id        uuid,
        lease_token      uuid,
        lease_expires_at timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        completed_at     timestamptz
      )`);
    // Same webhook + same window while one is open: the insert conflicts, and the caller gets the existing one.
    await q.query(`CREATE UNIQUE INDEX webhook_recoveries_open_uq ON webhook_recoveries (webhook_id, since, until) WHERE status IN ('pending', 'running')`);
    await q.query(`CREATE INDEX webhook_recoveries_open_idx ON webhook_recoveries (created_at) WHERE status IN ('pending', 'running')`);
    await q.query(`CREATE INDEX webhook_recoveries_webhook_idx ON webhook_recoveries (webhook_id, created_at)`);
    // A recovery walks one webhook's failed deliveries oldest failure first; this index is that walk.
    await q.query(`CREATE INDEX deliveries_webhook_failed_idx ON deliveries (webhook_id, completed_at, id) WHERE status = 'failed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX deliveries_webhook_failed_idx`);
    await q.query(`DROP TABLE webhook_recoveries`);
  }
}
