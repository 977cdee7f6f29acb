import { ValidationFailedException } from './api-errors';
import { isPgTimestamp } from './pg-timestamp.validator';

/** Keyset cursor over (created_at DESC, id DESC): opaque base64url of the last row's position. */
export interface CursorPosition {
  createdAt: string;
  id: string;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(createdAt: Date | string, id: string): string {
  const iso = createdAt instanceof Date ? createdAt.toISOString() : createdAt;
  return Buffer.from(JSON.stringify([iso, id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      const [createdAt, id] = parsed as [string, string];
      // Untrusted input: the time goes to PostgreSQL as timestamptz, so it must be one PostgreSQL accepts.
      if (isPgTimestamp(createdAt) && UUID_RE.test(id)) return { createdAt, id };
    }
  } catch {
    /* falls through to the 400 */
  }
  throw ValidationFailedException.field('cursor', 'is not a cursor returned by this API');
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
