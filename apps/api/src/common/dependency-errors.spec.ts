import { QueryFailedError } from 'typeorm';
import { classifyError } from './dependency-errors';

function pgError(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

describe('classifyError', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['refused on every address', new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], '')],
    ['terminated', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['admin shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    ['starting up', pgError('57P03', 'the database system is starting up')],
    ['connection exception', pgError('08006', 'connection failure')],
    ['wrapped by TypeORM', new QueryFailedError('SELECT 1', [], pgError('57P01', 'terminating connection'))],
  ])('a database outage: %s', (_name, error) => {
    expect(classifyError(error)).toEqual({ kind: 'outage', dependency: 'database' });
  });

  it('a Redis outage', () => {
    expect(classifyError(Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }))).toEqual({
      kind: 'outage',
      dependency: 'redis',
    });
    expect(classifyError(new Error('Connection is closed.'))).toEqual({ kind: 'outage', dependency: 'redis' });
  });

  it('a PostgreSQL data exception (class 22), with its column when PostgreSQL names one', () => {
    const nul = new QueryFailedError('INSERT', [], pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'));
    expect(classifyError(nul)).toEqual({ kind: 'data', code: '22021', field: 'request', message: 'invalid byte sequence for encoding "UTF8": 0x00' });
    expect(classifyError(pgError('22001', 'value too long', { column: 'title' }))).toMatchObject({ kind: 'data', field: 'title' });
  });

  it('anything else is unknown (a 500)', () => {
    expect(classifyError(new Error('boom'))).toBeUndefined();
    expect(classifyError(pgError('23505', 'duplicate key'))).toBeUndefined();
    expect(classifyError(pgError('42P01', 'relation does not exist'))).toBeUndefined();
    expect(classifyError('string')).toBeUndefined();
    expect(classifyError(null)).toBeUndefined();
  });
});
