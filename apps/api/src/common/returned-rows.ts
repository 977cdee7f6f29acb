import type { ObjectLiteral, Repository } from 'typeorm';

/**
 * The properties a plain `find` reads: every column not marked `select: false`. Used as the RETURNING list of
 * writes, so columns such as webhook secrets never come back from an INSERT or UPDATE either.
 */
export function selectableProperties<E extends ObjectLiteral>(repo: Repository<E>): string[] {
  return repo.metadata.columns.filter((c) => c.isSelect).map((c) => c.propertyPath);
}

/** Entities from the raw rows of an `INSERT/UPDATE ... RETURNING` (keyed by column name, not property). */
export function entitiesFromReturned<E extends ObjectLiteral>(repo: Repository<E>, raw: unknown): E[] {
  const driver = repo.manager.connection.driver;
  return (Array.isArray(raw) ? (raw as Record<string, unknown>[]) : []).map((row) => {
    const entity = repo.create();
    for (const column of repo.metadata.columns) {
      if (column.databaseName in row) column.setEntityValue(entity, driver.prepareHydratedValue(row[column.databaseName], column));
    }
    return entity;
  });
}
