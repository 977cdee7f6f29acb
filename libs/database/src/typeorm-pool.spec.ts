import { EventEmitter } from 'node:events';
import { DataSource } from 'typeorm';
import { pgPoolOf } from './typeorm-pool';

/**
 * A pg module that answers TypeORM's start-up queries (version, database, schema) without a server: enough for
 * TypeORM's real postgres driver to run its own connect code and keep the pool it created where it keeps it.
 */
function fakePg() {
  const pools: FakePool[] = [];
  const client = {
    on: () => client,
    removeListener: () => client,
    query: (text: string) =>
      Promise.resolve({ command: 'SELECT', rowCount: 1, rows: [{ version: 'PostgreSQL 16.4', current_database: 'db', current_schema: 'public' }], text }),
    release: () => undefined,
  };
  class FakePool extends EventEmitter {
    constructor(readonly options: Record<string, unknown>) {
      super();
      pools.push(this);
    }
    connect(cb?: (err: Error | undefined, c: typeof client, release: () => void) => void) {
      if (cb) return cb(undefined, client, () => undefined);
      return Promise.resolve(client);
    }
    end(cb?: (err?: Error) => void) {
      cb?.();
      return Promise.resolve();
    }
  }
  return { pools, module: { Pool: FakePool } };
}

describe('pgPoolOf', () => {
  it("is the pool TypeORM's postgres driver created for the DataSource (fails if TypeORM stops keeping it in driver.master)", async () => {
    const pg = fakePg();
    const ds = new DataSource({ type: 'postgres', driver: pg.module, installExtensions: false, extra: { max: 3 } });
    expect(pgPoolOf(ds)).toBeUndefined();
    await ds.initialize();
    try {
      expect(pg.pools).toHaveLength(1);
      expect(pgPoolOf(ds)).toBe(pg.pools[0]);
      expect(pg.pools[0].options).toMatchObject({ max: 3 });
    } finally {
      await ds.destroy();
    }
    expect(pgPoolOf(ds)).toBeUndefined();
  });
});
