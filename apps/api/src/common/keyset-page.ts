import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { decodeCursor, encodeCursor } from './cursor';

export interface KeysetPage<E> {
  rows: E[];
  next_cursor: string | null;
}

/**
 * The one keyset pagination of the lists: newest first over (created_at DESC, id DESC), the order their indexes
 * hold. The cursor carries the last row's id and time; the position is read back from that row, because a JS Date
 * drops the microseconds PostgreSQL stores (rows inside the same millisecond would be skipped otherwise). The
 * cursor's own time stands in when that row has since been deleted.
 */
export async function keysetPage<E extends ObjectLiteral & { id: string; createdAt: Date }>(
  qb: SelectQueryBuilder<E>,
  limit: number,
  cursor: string | undefined,
): Promise<KeysetPage<E>> {
  const a = qb.alias;
  const pos = decodeCursor(cursor);
  if (pos) {
    const table = qb.expressionMap.mainAlias?.metadata.tablePath;
    qb.andWhere(
      `(${a}.createdAt, ${a}.id) < (coalesce((SELECT k.created_at FROM ${table} k WHERE k.id = :keysetId), :keysetAt::timestamptz), :keysetId::uuid)`,
      { keysetId: pos.id, keysetAt: pos.createdAt },
    );
  }
  const rows = await qb
    .orderBy(`${a}.createdAt`, 'DESC')
    .addOrderBy(`${a}.id`, 'DESC')
    .limit(limit + 1)
    .getMany();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, next_cursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}
