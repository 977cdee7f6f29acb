/**
 * For the `typeorm` CLI in development only (`npm run typeorm -- migration:create migrations/AddThing`,
 * `npm run typeorm -- migration:generate migrations/AddThing`). Same environment rules and options as the targets;
 * entities by glob because this runs from source, never from the bundle.
 */
import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadEnvOrExit } from '@app/config/load-env';
import { maskText } from '@app/config/mask';
import { buildDataSourceOptions } from './database-options';
import { resolveDatabaseUrl } from './resolve-database-url';

export const dataSource: Promise<DataSource> = (async () => {
  const env = loadEnvOrExit('cli');
  const db = await resolveDatabaseUrl(env, (m) => process.stderr.write(`typeorm: ${maskText(m)}\n`));
  return new DataSource({
    ...buildDataSourceOptions(env, db.url, 'cli'),
    entities: [join(__dirname, '../../../{apps,libs}/**/*.entity.ts')],
  });
})();
