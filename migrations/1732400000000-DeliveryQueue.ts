import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery queue (issue 5): webhook secrets (with the rotation overlap), the outbox of deliveries, the attempt
 * log, and Idempotency-Key storage. Webhook health is computed from the attempt log through indexes, so no single
 * row is updated by every delivery.
 */
export class DeliveryQueue1732400000000 implements MigrationInterface {
  name = 'DeliveryQueue1732400000000';

  async up(q: QueryRunner): Promise<void> {
    // Rows created before this migration get a secret of their own: 24 bytes from two v4 UUIDs (strong randomness).
    await q.query(`ALTER TABLE webhooks
      ADD COLUMN secret text,
      ADD COLUMN previous_secret text,
      ADD COLUMN previous_secret_expires_at timestamptz,
      ADD COLUMN disabled_reason varchar(200),
      ADD COLUMN disabled_at timestamptz,
      ADD COLUMN enabled_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(
      `UPDATE webhooks SET secret = 'whsec_' || encode(substring(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()) from 1 for 24), 'base64')`,
    );
    await q.query(`ALTER TABLE webhooks ALTER COLUMN secret SET NOT NULL`);
    await q.query(
      `ALTER TABLE webhooks ADD CONSTRAINT webhooks_min_severity_ck CHECK (min_severity IS NULL OR min_severity IN ('critical', 'high', 'warning', 'info'))`,
    );
    await q.query(`CREATE INDEX webhooks_created_at_idx ON webhooks (created_at DESC, id DESC)`);
    await q.query(`ALTER TABLE alerts ADD COLUMN acknowledgement_note text`);
    await q.query(`CREATE INDEX alerts_status_created_idx ON alerts (status, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE deliveries (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id       uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        alert_id         uuid REFERENCES alerts (id) ON DELETE SET NULL,
        event_type       varchar(64) NOT NULL,
        payload          text NOT NULL,
        status           varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'in_flight', 'succeeded', 'failed')),
        attempts         integer NOT NULL DEFAULT 0,
        -- attempts made before the last manual retry: the retry schedule restarts from here
        retry_base       integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        lease_token      uuid,
        lease_expires_at timestamptz,
        last_status_code integer,
        last_error       text,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        completed_at     timestamptz
      )`);
    // Claims probe each active webhook's due rows; the reaper reads only leased ones. Both indexes stay small.
    await q.query(`CREATE INDEX deliveries_webhook_due_idx ON deliveries (webhook_id, next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX deliveries_lease_idx ON deliveries (lease_expires_at) WHERE status = 'in_flight'`);
    await q.query(`CREATE INDEX deliveries_webhook_idx ON deliveries (webhook_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX deliveries_alert_idx ON deliveries (alert_id)`);
    await q.query(`CREATE INDEX deliveries_created_idx ON deliveries (created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE delivery_attempts (
        id            bigserial PRIMARY KEY,
        delivery_id   uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        webhook_id    uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        attempt       integer NOT NULL,
        success       boolean NOT NULL,
        status_code   integer,
        error         text,
        response_body text,
        duration_ms   integer NOT NULL,
        started_at    timestamptz NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX delivery_attempts_delivery_idx ON delivery_attempts (delivery_id, id)`);
    // Health per webhook reads its latest attempts and its latest success: appends only, no hot row.
    await q.query(`CREATE INDEX delivery_attempts_webhook_idx ON delivery_attempts (webhook_id, id DESC)`);
    await q.query(`CREATE INDEX delivery_attempts_webhook_success_idx ON delivery_attempts (webhook_id, id DESC) WHERE success`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        subject      varchar(200) NOT NULL,
        key          varchar(255) NOT NULL,
        request_hash char(64) NOT NULL,
        status_code  integer,
        response     jsonb,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (subject, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE delivery_attempts`);
    await q.query(`DROP TABLE deliveries`);
    await q.query(`DROP INDEX alerts_status_created_idx`);
    await q.query(`ALTER TABLE alerts DROP COLUMN acknowledgement_note`);
    await q.query(`DROP INDEX webhooks_created_at_idx`);
    await q.query(`ALTER TABLE webhooks DROP CONSTRAINT webhooks_min_severity_ck`);
    await q.query(`ALTER TABLE webhooks
      DROP COLUMN secret, DROP COLUMN previous_secret, DROP COLUMN previous_secret_expires_at,
      DROP COLUMN disabled_reason, DROP COLUMN disabled_at, DROP COLUMN enabled_at`);
  }
}
