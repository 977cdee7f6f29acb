import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The first schema: registered webhooks and the alerts they receive. */
export class Init1732300000000 implements MigrationInterface {
  name = 'Init1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name         varchar(200) NOT NULL,
        url          text NOT NULL,
        description  text,
        event_types  text[] NOT NULL DEFAULT '{}',
        min_severity varchar(16),
        headers      jsonb NOT NULL DEFAULT '{}'::jsonb,
        is_active    boolean NOT NULL DEFAULT true,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE alerts (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        fingerprint     varchar(128) NOT NULL,
        title           varchar(500) NOT NULL,
        severity        varchar(16) NOT NULL CHECK (severity IN ('critical', 'high', 'warning', 'info')),
        status          varchar(16) NOT NULL DEFAULT 'firing' CHECK (status IN ('firing', 'resolved')),
        source          varchar(200),
        description     text,
        labels          jsonb NOT NULL DEFAULT '{}'::jsonb,
        annotations     jsonb NOT NULL DEFAULT '{}'::jsonb,
        occurrences     integer NOT NULL DEFAULT 1,
        starts_at       timestamptz NOT NULL DEFAULT now(),
        resolved_at     timestamptz,
        acknowledged_at timestamptz,
        acknowledged_by varchar(200),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    // At most one firing alert per fingerprint: the dedup rule, enforced by the database.
    await q.query(`CREATE UNIQUE INDEX alerts_firing_fingerprint_uq ON alerts (fingerprint) WHERE status = 'firing'`);
    await q.query(`CREATE INDEX alerts_created_at_idx ON alerts (created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alerts`);
    await q.query(`DROP TABLE webhooks`);
  }
}
