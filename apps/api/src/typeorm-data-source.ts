/**
 * The `typeorm` CLI's data source (`npm run typeorm -- ...`, development only): the lib's builder with the explicit
 * entity list (schema-entities.ts). Loading this file reads the environment: import SCHEMA_ENTITIES from its own file.
 */
import { typeormCliDataSource } from '@app/database/data-source';
import { SCHEMA_ENTITIES } from './schema-entities';

export const dataSource = typeormCliDataSource(SCHEMA_ENTITIES);
