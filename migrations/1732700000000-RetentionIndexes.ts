import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (issue 13): the background job walks finished deliveries by (status, completed_at) and resolved alerts
 * by resolved_at, a batch at a time, instead of scanning the tables. Both indexes cover only rows the job can delete
 * (pending and in-flight deliveries have no completed_at; firing alerts are left out), so the queue's hot rows do
 * not pay for them until they finish.
 */
export class RetentionIndexes1732700000000 implements MigrationInterface {
  name = 'RetentionIndexes1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX deliveries_completed_idx ON deliveries (status, completed_at, id) WHERE completed_at IS NOT NULL`);
    await q.query(`CREATE INDEX alerts_resolved_at_idx ON alerts (resolved_at, id) WHERE status = 'resolved'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX alerts_resolved_at_idx`);
    await q.query(`DROP INDEX deliveries_completed_idx`);
  }
}
