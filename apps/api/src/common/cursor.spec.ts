import { decodeCursor, encodeCursor } from './cursor';
import { ValidationFailedException } from './api-errors';

const ID = '3f1c2a4e-8b7d-4c1e-9f00-0123456789ab';
const raw = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('cursor', () => {
  it('round-trips a position', () => {
    const at = new Date('2026-11-21T22:00:00.123Z');
    expect(decodeCursor(encodeCursor(at, ID))).toEqual({ createdAt: at.toISOString(), id: ID });
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  // A cursor is untrusted: a forged one must be a 400, never a timestamp PostgreSQL rejects (500).
  it.each([
    ['Feb 30', raw(['2024-02-30T00:00:00Z', ID])],
    ['week date', raw(['2024-W05-3', ID])],
    ['year 0000', raw(['0000-01-01T00:00:00Z', ID])],
    ['extended year', raw(['+275760-01-01T00:00:00Z', ID])],
    ['NUL', raw(['2024-01-01T00:00:00Z\u0000', ID])],
    ['not a uuid', raw(['2024-01-01T00:00:00Z', 'x'])],
    ['extra element', raw(['2024-01-01T00:00:00Z', ID, 1])],
    ['object', raw({ createdAt: '2024-01-01T00:00:00Z', id: ID })],
    ['not JSON', 'bm90IGpzb24'],
  ])('rejects a forged cursor: %s', (_name, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(ValidationFailedException);
  });
});
