import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-webhook send rate (issue 13): `rate_limit_per_second`, null = only the in-flight caps. Bounded so a typo cannot
 * ask for an interval shorter than the limiter's microsecond resolution means anything for. Adding a nullable column
 * without a default is a catalog-only change (no table rewrite, a brief lock).
 */
export class WebhookSendRate1732600000000 implements MigrationInterface {
  name = 'WebhookSendRate1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhooks ADD COLUMN rate_limit_per_second integer`);
    await q.query(
      `ALTER TABLE webhooks ADD CONSTRAINT webhooks_rate_limit_per_second_ck CHECK (rate_limit_per_second IS NULL OR rate_limit_per_second BETWEEN 1 AND 10000)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhooks DROP CONSTRAINT webhooks_rate_limit_per_second_ck`);
    await q.query(`ALTER TABLE webhooks DROP COLUMN rate_limit_per_second`);
  }
}
