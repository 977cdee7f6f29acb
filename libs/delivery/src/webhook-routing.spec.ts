import { ServiceUnavailableException } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import fc from 'fast-check';
import { compileMatchers, type Matcher, routingLabels } from '@app/routing';
import { RoutingTable, WebhookRouting } from './webhook-routing';

/** A DataSource whose routing table is `state` at each query (what `load` reads). */
function fakeDb(state: { generation: number; webhooks: Array<{ id: string; matchers: string[] }> }) {
  let loads = 0;
  const dataSource = {
    query: jest.fn(async () => {
      loads += 1;
      return [{ generation: String(state.generation), webhooks: state.webhooks.map((w) => ({ ...w })) }];
    }),
  } as unknown as DataSource;
  return { dataSource, loads: () => loads };
}

describe('WebhookRouting', () => {
  it('loads the table once, matches alerts with it, and keeps it while fresh', async () => {
    const state = {
      generation: 3,
      webhooks: [
        { id: 'w-db', matchers: ['team="db"'] },
        { id: 'w-crit', matchers: ['severity="critical"'] },
      ],
    };
    const db = fakeDb(state);
    const routing = new WebhookRouting(db.dataSource);
    const seen: string[][] = [];
    for (let i = 0; i < 3; i++) {
      await routing.run(async (t) => {
        seen.push(t.matched({ labels: { team: 'db' }, severity: 'critical', source: null }));
        return { fresh: true, value: t.generation };
      });
    }
    expect(seen).toEqual([
      ['w-db', 'w-crit'],
      ['w-db', 'w-crit'],
      ['w-db', 'w-crit'],
    ]);
    expect(db.loads()).toBe(1);
  });

  it('a stale attempt re-reads the table and runs again with the new matchers', async () => {
    const state = { generation: 1, webhooks: [{ id: 'w', matchers: ['team="x"'] }] };
    const db = fakeDb(state);
    const routing = new WebhookRouting(db.dataSource);
    await routing.current();
    // A PATCH commits elsewhere: the database moves on, this process still holds generation 1.
    state.generation = 2;
    state.webhooks = [{ id: 'w', matchers: ['team="y"'] }];
    const attempts: Array<{ generation: string; matched: string[] }> = [];
    const value = await routing.run(async (t) => {
      attempts.push({ generation: t.generation, matched: t.matched({ labels: { team: 'y' }, severity: 'info', source: null }) });
      // The statement's check: fresh only when the table's generation is the database's.
      return { fresh: t.generation === String(state.generation), value: 'written' };
    });
    expect(value).toBe('written');
    expect(attempts).toEqual([
      { generation: '1', matched: [] },
      { generation: '2', matched: ['w'] },
    ]);
    expect(db.loads()).toBe(2);
  });

  it('gives up with 503 when the table keeps changing, after a bounded number of attempts', async () => {
    const db = fakeDb({ generation: 1, webhooks: [] });
    const routing = new WebhookRouting(db.dataSource);
    const attempt = jest.fn(async () => ({ fresh: false, value: 0 }));
    await expect(routing.run(attempt)).rejects.toBeInstanceOf(ServiceUnavailableException);
    expect(attempt).toHaveBeenCalledTimes(5);
  });

  it('a failed load is not cached', async () => {
    let fail = true;
    const dataSource = {
      query: jest.fn(async () => {
        if (fail) throw new Error('connection refused');
        return [{ generation: '7', webhooks: [] }];
      }),
    } as unknown as DataSource;
    const routing = new WebhookRouting(dataSource);
    await expect(routing.current()).rejects.toThrow('connection refused');
    fail = false;
    expect((await routing.current()).generation).toBe('7');
  });
});

describe('RoutingTable index', () => {
  it('finds exactly the webhooks a scan of every webhook finds (property)', () => {
    const NAMES = ['team', 'env', 'severity', 'source'];
    const VALUES = ['', 'a', 'b', 'info'];
    const matcher = fc.record({
      name: fc.constantFrom(...NAMES),
      type: fc.constantFrom<Matcher['type']>('=', '!=', '=~', '!~'),
      value: fc.constantFrom(...VALUES, 'a|b', '.*'),
    });
    const webhooks = fc.array(fc.array(matcher, { minLength: 1, maxLength: 3 }), { maxLength: 12 });
    const alert = fc.record({
      labels: fc.dictionary(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES)),
      severity: fc.constantFrom('info', 'critical'),
      source: fc.option(fc.constantFrom(...VALUES), { nil: null }),
    });
    fc.assert(
      fc.property(webhooks, alert, (ms, a) => {
        const table = new RoutingTable(
          '1',
          ms.map((matchers, i) => ({ id: `w${i}`, matchers })),
        );
        const scan = ms.flatMap((matchers, i) => (compileMatchers(matchers)(routingLabels(a)) ? [`w${i}`] : []));
        expect(table.matched(a).sort()).toEqual(scan.sort());
      }),
      { numRuns: 500 },
    );
  });
});
