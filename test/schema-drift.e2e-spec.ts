import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource, getMetadataArgsStorage } from 'typeorm';
import { buildDataSourceOptions, MIGRATIONS_TABLE } from '@app/database';
import { SCHEMA_ENTITIES } from '../apps/api/src/schema-entities';
import { createScratchDatabase, envFrom, strictRawEnv } from './support/e2e-env';
import { ROOT } from './support/processes';

type Scratch = { url: string; drop: () => Promise<void> };
type EntityClass = new () => unknown;

/** Every entity class in apps/ and libs/, found by file name (independently of the CLI data source's explicit list). */
async function loadAllEntities(): Promise<{ files: string[]; entities: EntityClass[] }> {
  const files = ['apps', 'libs']
    .flatMap((dir) => (readdirSync(join(ROOT, dir), { recursive: true }) as string[]).map((f) => join(ROOT, dir, f)))
    .filter((f) => f.endsWith('.entity.ts'))
    .sort();
  const tables = getMetadataArgsStorage().tables;
  const entities: EntityClass[] = [];
  for (const f of files) {
    const mod = (await import(f)) as Record<string, unknown>;
    for (const v of Object.values(mod)) if (typeof v === 'function' && tables.some((t) => t.target === v)) entities.push(v as EntityClass);
  }
  return { files, entities };
}

function dataSourceFor(url: string, entities: EntityClass[]): DataSource {
  const env = envFrom(strictRawEnv({ DATABASE_URL: url }));
  return new DataSource({ ...buildDataSourceOptions(env, url, 'test'), entities, poolSize: 2, extra: { max: 2 } });
}

/** What `schema:log` / `migration:generate` would write against this database. */
async function pendingSql(ds: DataSource): Promise<string[]> {
  return (await ds.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/**
 * The catalog as PostgreSQL prints it, one line per column, constraint and index, for the given tables. PostgreSQL
 * normalises expressions itself, so index predicates and check expressions compare exactly (TypeORM's diff ignores
 * both). Index sort order is dropped: TypeORM cannot declare DESC, and a backward scan serves the same queries.
 */
async function catalog(url: string, tables: string[]): Promise<string[]> {
  const rows = await query<{ line: string }>(
    url,
    `SELECT format('column %s.%s %s%s%s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                   CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                   COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')) AS line
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid AND c.relnamespace = 'public'::regnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relname = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
     UNION ALL
     SELECT format('constraint %s.%s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text = ANY($1)
     UNION ALL
     SELECT format('index %s', replace(indexdef, ' DESC', ''))
       FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1)`,
    [tables],
  );
  return rows.map((r) => r.line).sort();
}

/**
 * Issue 14: the entities describe the migrated schema exactly, so `migration:generate` never writes a destructive
 * migration. Checked two ways: TypeORM's own diff on a migrated database is empty, and a database TypeORM builds from
 * the entities has the same catalog as the migrated one (this also covers what TypeORM's diff does not compare).
 */
describe('schema drift: entities vs migrations (real PostgreSQL)', () => {
  let migrated: Scratch;
  let ds: DataSource;
  let entities: EntityClass[];
  let entityTables: string[];

  beforeAll(async () => {
    const loaded = await loadAllEntities();
    entities = loaded.entities;
    expect(entities.length).toBeGreaterThanOrEqual(loaded.files.length);
    migrated = await createScratchDatabase();
    ds = dataSourceFor(migrated.url, entities);
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    entityTables = ds.entityMetadatas.map((m) => m.tableName).sort();
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await migrated?.drop();
  });

  it("the typeorm CLI's data source lists exactly the entity classes there are (no glob: a new entity must be added)", () => {
    const name = (e: { name: string }) => e.name;
    expect(SCHEMA_ENTITIES.map(name).sort()).toEqual(entities.map(name).sort());
  });

  it('every table the migrations create has an entity, and every entity a table', async () => {
    const rows = await query<{ tablename: string }>(
      migrated.url,
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> $1 ORDER BY 1`,
      [MIGRATIONS_TABLE],
    );
    expect(entityTables).toEqual(rows.map((r) => r.tablename));
  });

  it("TypeORM's schema diff on the migrated database is empty (schema:log and migration:generate write nothing)", async () => {
    expect(await pendingSql(ds)).toEqual([]);
  });

  it('connecting installs no extension (migrations own the schema; gen_random_uuid() is built in)', async () => {
    const rows = await query<{ extname: string }>(migrated.url, `SELECT extname FROM pg_extension ORDER BY 1`);
    expect(rows.map((r) => r.extname)).toEqual(['plpgsql']);
  });

  it('a schema built from the entities has exactly the migrated catalog: names, types, defaults, checks, FKs, partial indexes', async () => {
    const built = await createScratchDatabase();
    const fromEntities = dataSourceFor(built.url, entities);
    try {
      await fromEntities.initialize();
      await fromEntities.synchronize();
      const expected = await catalog(migrated.url, entityTables);
      expect(
        expected.some((l) => l.includes(`alerts_firing_fingerprint_uq ON public.alerts USING btree (fingerprint) WHERE ((status)::text = 'firing'::text)`)),
      ).toBe(true);
      expect(await catalog(built.url, entityTables)).toEqual(expected);

      // The check can fail where TypeORM's diff is blind: without its predicate the dedup index no longer lets an
      // alert fire again after it resolved, yet TypeORM reports nothing. The catalog comparison does.
      await query(built.url, `DROP INDEX alerts_firing_fingerprint_uq; CREATE UNIQUE INDEX alerts_firing_fingerprint_uq ON alerts (fingerprint)`);
      expect(await pendingSql(fromEntities)).toEqual([]);
      const drifted = await catalog(built.url, entityTables);
      expect(drifted).not.toEqual(expected);
      expect(drifted).toContain('index CREATE UNIQUE INDEX alerts_firing_fingerprint_uq ON public.alerts USING btree (fingerprint)');
    } finally {
      if (fromEntities.isInitialized) await fromEntities.destroy();
      await built.drop();
    }
  });

  describe('the diff check can fail: an entity that disagrees with the schema yields statements', () => {
    /** A second DataSource on the migrated database whose metadata copy is altered by `alter`. */
    const diffAfter = async (alter: (d: DataSource) => void): Promise<string[]> => {
      const altered = dataSourceFor(migrated.url, entities);
      await altered.initialize();
      try {
        alter(altered);
        return await pendingSql(altered);
      } finally {
        await altered.destroy();
      }
    };

    it('a missing partial unique index is dropped', async () => {
      const sql = await diffAfter((d) => {
        const m = d.getMetadata('alerts');
        m.indices = m.indices.filter((i) => i.name !== 'alerts_firing_fingerprint_uq');
      });
      expect(sql).toEqual(['DROP INDEX "public"."alerts_firing_fingerprint_uq"']);
    });

    it('a missing default, check or column is altered away', async () => {
      const sql = await diffAfter((d) => {
        const deliveries = d.getMetadata('deliveries');
        deliveries.findColumnWithDatabaseName('status')!.default = undefined;
        deliveries.checks = [];
        const alerts = d.getMetadata('alerts');
        alerts.columns = alerts.columns.filter((c) => c.databaseName !== 'acknowledgement_note');
      });
      expect(sql).toEqual(
        expect.arrayContaining([
          'ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_status_check"',
          'ALTER TABLE "alerts" DROP COLUMN "acknowledgement_note"',
          'ALTER TABLE "deliveries" ALTER COLUMN "status" DROP DEFAULT',
        ]),
      );
    });

    it('a foreign key with another ON DELETE is recreated', async () => {
      const sql = await diffAfter((d) => {
        d.getMetadata('deliveries').foreignKeys.find((fk) => fk.name === 'deliveries_webhook_id_fkey')!.onDelete = 'RESTRICT';
      });
      expect(sql).toEqual(
        expect.arrayContaining([
          'ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_webhook_id_fkey"',
          expect.stringMatching(
            /^ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_webhook_id_fkey" FOREIGN KEY \("webhook_id"\) REFERENCES "webhooks"\("id"\) ON DELETE RESTRICT/,
          ),
        ]),
      );
    });
  });
});
