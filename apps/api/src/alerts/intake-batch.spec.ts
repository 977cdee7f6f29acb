import fc from 'fast-check';
import type { AlertInput, AlertView } from './alert.view';
import { type GroupOutcome, type IntakeGroup, planIntakeRounds, settleIntake } from './intake-batch';

/** The store as the upsert sees it: the firing row of each fingerprint. A title with a NUL is refused, as PostgreSQL would. */
type Store = Map<string, { id: string; title: string; occurrences: number }>;
const refused = (a: AlertInput) => a.title.includes('\u0000');

function input(fingerprint: string, title: string): AlertInput {
  return { fingerprint, title, severity: 'warning', source: null, description: null, labels: {}, annotations: {}, startsAt: null };
}

function view(fingerprint: string, row: { id: string; title: string; occurrences: number }): AlertView {
  const t = '2026-12-01T00:00:00.000Z' as unknown as Date;
  return {
    id: row.id,
    fingerprint,
    title: row.title,
    severity: 'warning',
    status: 'firing',
    source: null,
    description: null,
    labels: {},
    annotations: {},
    occurrences: row.occurrences,
    starts_at: t,
    resolved_at: null,
    acknowledged_at: null,
    acknowledged_by: null,
    acknowledgement_note: null,
    created_at: t,
    updated_at: t,
    acknowledged: false,
  };
}

/** The upsert of one item of `count` occurrences against the model store. */
function upsert(store: Store, a: AlertInput, count: number): { inserted: boolean; view: AlertView } {
  const row = store.get(a.fingerprint);
  if (row) {
    row.occurrences += count;
    return { inserted: false, view: view(a.fingerprint, row) };
  }
  const created = { id: `new-${a.fingerprint}`, title: a.title, occurrences: count };
  store.set(a.fingerprint, created);
  return { inserted: true, view: view(a.fingerprint, created) };
}

type Outcome = { status: number; id?: string; title?: string; occurrences?: number };

function oneByOne(store: Store, inputs: AlertInput[]): Outcome[] {
  return inputs.map((a) => {
    if (refused(a)) return { status: 400 };
    const { inserted, view: v } = upsert(store, a, 1);
    return { status: inserted ? 201 : 200, id: v.id, title: v.title, occurrences: v.occurrences };
  });
}

function batched(store: Store, inputs: AlertInput[]): Outcome[] {
  const rounds = planIntakeRounds(inputs);
  const outcomes = new Map<IntakeGroup, GroupOutcome>();
  for (const round of rounds) {
    expect(new Set(round.map((g) => g.alert.fingerprint)).size).toBe(round.length);
    for (const g of round) outcomes.set(g, refused(g.alert) ? { ok: false, error: new Error('22021') } : { ok: true, ...upsert(store, g.alert, g.count) });
  }
  return settleIntake(inputs, rounds, outcomes).map((r) =>
    r.ok ? { status: r.value.inserted ? 201 : 200, id: r.value.view.id, title: r.value.view.title, occurrences: r.value.view.occurrences } : { status: 400 },
  );
}

const seeded = (firing: Array<[string, number]>): Store => new Map(firing.map(([f, n], i) => [f, { id: `old-${i}`, title: `old ${f}`, occurrences: n }]));

describe('intake batches', () => {
  it('give every request what one-by-one processing would (duplicates, distinct bodies, refused values, rows already firing)', () => {
    const fingerprint = fc.constantFrom('a', 'b', 'c', 'd');
    const title = fc.constantFrom('x', 'y', 'bad\u0000');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fingerprint, title), { maxLength: 40 }),
        fc.uniqueArray(fc.tuple(fingerprint, fc.integer({ min: 1, max: 5 })), { selector: ([f]) => f, maxLength: 4 }),
        (requests, firing) => {
          const inputs = requests.map(([f, t]) => input(f, t));
          const sequentialStore = seeded(firing);
          const batchStore = seeded(firing);
          expect(batched(batchStore, inputs)).toEqual(oneByOne(sequentialStore, inputs));
          const rows = (store: Store) => [...store.entries()].sort(([a], [b]) => a.localeCompare(b));
          expect(rows(batchStore)).toEqual(rows(sequentialStore));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('write identical duplicates as one item in one round', () => {
    const rounds = planIntakeRounds([input('a', 'x'), input('b', 'x'), input('a', 'x'), input('a', 'x')]);
    expect(rounds).toHaveLength(1);
    expect(rounds[0].map((g) => [g.alert.fingerprint, g.count, g.members])).toEqual([
      ['a', 3, [0, 2, 3]],
      ['b', 1, [1]],
    ]);
  });

  it('put a fingerprint sent with another body in a later round', () => {
    const rounds = planIntakeRounds([input('a', 'x'), input('a', 'y'), input('a', 'x')]);
    expect(rounds.map((r) => r.map((g) => [g.alert.title, g.members]))).toEqual([[['x', [0, 2]]], [['y', [1]]]]);
  });
});
