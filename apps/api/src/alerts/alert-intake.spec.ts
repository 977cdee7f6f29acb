import type { ConfigService } from '@nestjs/config';
import type { TwoTierCache } from '@app/cache';
import type { Env } from '@app/config';
import type { AlertEntity } from './alert.entity';
import type { AlertInput } from './alert.view';
import { AlertIntake } from './alert-intake';
import type { AlertsRepository, UpsertResult } from './alerts.repository';

const input = (fingerprint: string, title = 'ok'): AlertInput => ({
  fingerprint,
  title,
  severity: 'info',
  source: null,
  description: null,
  labels: {},
  annotations: {},
  startsAt: null,
});

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

/** A repository whose upsert refuses a title containing "bad" (as PostgreSQL refuses a value) or fails everything when down. */
function harness(options: { down?: boolean } = {}) {
  const statements: string[][] = [];
  const firing = new Map<string, number>();
  const upsertFiringMany = jest.fn(async (items: Array<{ alert: AlertInput; count: number }>): Promise<UpsertResult[]> => {
    statements.push(items.map((i) => `${i.alert.fingerprint}x${i.count}`));
    await Promise.resolve();
    if (options.down) throw pgError('57P01', 'terminating connection due to administrator command');
    if (items.some((i) => i.alert.title.includes('bad'))) throw pgError('22P02', 'invalid input syntax for type json');
    return items.map(({ alert, count }) => {
      const before = firing.get(alert.fingerprint);
      firing.set(alert.fingerprint, (before ?? 0) + count);
      const row = {
        id: `id-${alert.fingerprint}`,
        fingerprint: alert.fingerprint,
        title: alert.title,
        occurrences: (before ?? 0) + count,
        acknowledgedAt: null,
      };
      return { alert: row as unknown as AlertEntity, inserted: before === undefined };
    });
  });
  const invalidated: string[] = [];
  const cache = { invalidate: jest.fn(async (ns?: string, key?: string) => (invalidated.push(key ? `${ns}:${key}` : String(ns)), { l1: 0, l2: 0 })) };
  const settings: Partial<Env> = { INTAKE_BATCH_MAX_SIZE: 64, INTAKE_BATCH_MAX_WAIT_MS: 5, INTAKE_QUEUE_MAX: 100, DB_REQUEST_TIMEOUT_MS: 4000 };
  const config = { get: (key: keyof Env) => settings[key] } as unknown as ConfigService<Env, true>;
  const intake = new AlertIntake({ upsertFiringMany } as unknown as AlertsRepository, cache as unknown as TwoTierCache, config);
  return { intake, statements, invalidated };
}

const outcome = (p: Promise<{ view: { occurrences: number }; inserted: boolean }>) =>
  p.then(
    (r) => `${r.inserted ? 201 : 200}/${r.view.occurrences}`,
    (e: { code?: string }) => `error ${e.code}`,
  );

describe('AlertIntake', () => {
  it('writes concurrent creates as one statement, duplicates collapsed, each answered as one by one', async () => {
    const { intake, statements, invalidated } = harness();
    const results = await Promise.all([input('a'), input('b'), input('a'), input('a')].map((i) => outcome(intake.create(i))));
    expect(results).toEqual(['201/1', '201/1', '200/2', '200/3']);
    expect(statements).toEqual([['ax3', 'bx1']]);
    // Both alerts are new: no cache can hold their ids, only the first page changed.
    expect(invalidated).toEqual(['alerts-page']);
  });

  it('drops a deduplicated alert from the cache by id, a new one not', async () => {
    const { intake, invalidated } = harness();
    await intake.create(input('a'));
    invalidated.length = 0;
    const results = await Promise.all([input('a'), input('b')].map((i) => outcome(intake.create(i))));
    expect(results).toEqual(['200/2', '201/1']);
    expect(invalidated.sort()).toEqual(['alert:id-a', 'alerts-page']);
  });

  it('a refused value fails its own request alone: the batch is retried group by group', async () => {
    const { intake, statements } = harness();
    const results = await Promise.all([input('a'), input('b', 'bad'), input('c'), input('a')].map((i) => outcome(intake.create(i))));
    expect(results).toEqual(['201/1', 'error 22P02', '201/1', '200/2']);
    expect(statements).toEqual([['ax2', 'bx1', 'cx1'], ['ax2'], ['bx1'], ['cx1']]);
  });

  it('a duplicate with a refused value fails alone while its fingerprint is created by the others', async () => {
    const { intake, statements } = harness();
    const results = await Promise.all([input('a', 'bad'), input('a'), input('a')].map((i) => outcome(intake.create(i))));
    expect(results).toEqual(['error 22P02', '201/1', '200/2']);
    expect(statements).toEqual([['ax1'], ['ax2']]);
  });

  it('a database outage fails every request of the batch (503 upstream), without retrying row by row', async () => {
    const { intake, statements, invalidated } = harness({ down: true });
    const results = await Promise.all([input('a'), input('b'), input('c')].map((i) => outcome(intake.create(i))));
    expect(results).toEqual(['error 57P01', 'error 57P01', 'error 57P01']);
    expect(statements).toHaveLength(1);
    expect(invalidated).toEqual([]);
  });
});
