import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { queryRows } from '@app/database';
import { ensureDatabaseReady } from './database-ready';

export { queryRows };

/**
 * The domain's access to PostgreSQL. The hot paths (fan-out, claim, completion) are single set-based statements,
 * clearer in SQL than through the ORM; the entities document the tables and register them with TypeORM.
 */
@Injectable()
export class SqlClient {
  constructor(readonly dataSource: DataSource) {}

  private ensureConnected(): void {
    // The connection is opened in the background (DatabaseConnector); until then, a clean 503, not a 500.
    ensureDatabaseReady(this.dataSource);
  }

  async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.ensureConnected();
    const runner = this.dataSource.createQueryRunner();
    try {
      return await queryRows<T>(runner, sql, params);
    } finally {
      await runner.release();
    }
  }

  /** One pooled connection for `work`, no transaction (each statement is atomic on its own). */
  async withRunner<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    this.ensureConnected();
    const runner = this.dataSource.createQueryRunner();
    try {
      return await work(runner);
    } finally {
      await runner.release();
    }
  }

  async one<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.rows<T>(sql, params))[0];
  }

  async transaction<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    this.ensureConnected();
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const result = await work(runner);
      await runner.commitTransaction();
      return result;
    } catch (e) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw e;
    } finally {
      await runner.release();
    }
  }
}
