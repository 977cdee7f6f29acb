/**
 * The DataSource of the `typeorm` CLI in development only (`npm run typeorm -- migration:show`,
 * `npm run typeorm -- migration:generate migrations/AddThing`): same environment rules and options as the targets.
 * The entity classes are given by the caller (apps/api/src/typeorm-data-source.ts lists them), not found by a glob:
 * a lib never reaches into apps/, and a glob finds nothing in a bundle.
 */
import 'reflect-metadata';
import { DataSource, type MixedList } from 'typeorm';
import { loadEnvOrExit } from '@app/config/load-env';
import { maskText } from '@app/config/mask';
import { buildDataSourceOptions } from './database-options';
import { resolveDatabaseUrl } from './resolve-database-url';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity classes
export async function typeormCliDataSource(entities: MixedList<Function>): Promise<DataSource> {
  const env = loadEnvOrExit('cli');
  const db = await resolveDatabaseUrl(env, (m) => process.stderr.write(`typeorm: ${maskText(m)}\n`));
  return new DataSource({ ...buildDataSourceOptions(env, db.url, 'cli'), entities });
}
