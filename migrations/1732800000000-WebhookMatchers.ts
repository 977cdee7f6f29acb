import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Label matchers per webhook (issue 25): `matchers`, canonical Alertmanager-syntax strings, ANDed; empty = every alert.
 * Intake evaluates them in the process (RE2 semantics) from a cached table of every webhook's matchers, and its fan-out
 * statement checks `webhook_routing.generation` against the table it used: the triggers bump it in the same transaction
 * as any write that changes a webhook's matchers, so a stale table is noticed by the very statement that would use it
 * (docs/DELIVERY.md, "Routing: label matchers"). A NOT NULL column with a constant default is catalog-only.
 */
export class WebhookMatchers1732800000000 implements MigrationInterface {
  name = 'WebhookMatchers1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhooks ADD COLUMN matchers text[] NOT NULL DEFAULT '{}'`);
    await q.query(
      `CREATE TABLE webhook_routing (id smallint NOT NULL, generation bigint NOT NULL,
         CONSTRAINT webhook_routing_pkey PRIMARY KEY (id), CONSTRAINT webhook_routing_singleton_ck CHECK (id = 1))`,
    );
    await q.query(`INSERT INTO webhook_routing (id, generation) VALUES (1, 0)`);
    await q.query(
      `CREATE FUNCTION webhook_routing_bump() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN UPDATE webhook_routing SET generation = generation + 1 WHERE id = 1; RETURN NULL; END $$`,
    );
    await q.query(
      `CREATE TRIGGER webhooks_matchers_inserted AFTER INSERT ON webhooks FOR EACH ROW
       WHEN (cardinality(NEW.matchers) > 0) EXECUTE FUNCTION webhook_routing_bump()`,
    );
    await q.query(
      `CREATE TRIGGER webhooks_matchers_updated AFTER UPDATE OF matchers ON webhooks FOR EACH ROW
       WHEN (OLD.matchers IS DISTINCT FROM NEW.matchers) EXECUTE FUNCTION webhook_routing_bump()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER webhooks_matchers_updated ON webhooks`);
    await q.query(`DROP TRIGGER webhooks_matchers_inserted ON webhooks`);
    await q.query(`DROP FUNCTION webhook_routing_bump()`);
    await q.query(`DROP TABLE webhook_routing`);
    await q.query(`ALTER TABLE webhooks DROP COLUMN matchers`);
  }
}
