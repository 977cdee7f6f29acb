import fc from 'fast-check';
import { deriveFingerprint } from './alert-fingerprint';
import type { AlertInput } from './alert.view';
import { type AlertmanagerChange, fanOutEvents, mapAlertmanagerPayload, planAlertmanagerRounds } from './alertmanager-mapper';
import type { AlertmanagerAlertDto } from './dto/alertmanager-payload.dto';

const alert = (a: Partial<AlertmanagerAlertDto>): AlertmanagerAlertDto => ({ status: 'firing', labels: {}, ...a });

describe('mapAlertmanagerPayload', () => {
  it('maps a firing alert to an alert input: our fingerprint from the labels, summary as title, severity mapped', () => {
    const labels = { alertname: 'HighLatency', severity: 'page', service: 'api' };
    const [change] = mapAlertmanagerPayload({
      alerts: [
        alert({
          labels,
          annotations: { summary: 'p99 above 1s', description: 'latency is high' },
          startsAt: '2026-11-21T22:00:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint: 'c0ffee',
        }),
      ],
    });
    expect(change).toEqual({
      status: 'firing',
      alert: {
        fingerprint: deriveFingerprint({ labels: { service: 'api', severity: 'page', alertname: 'HighLatency' }, title: '' }),
        title: 'p99 above 1s',
        severity: 'critical',
        source: 'alertmanager',
        description: 'latency is high',
        labels,
        annotations: { summary: 'p99 above 1s', description: 'latency is high' },
        startsAt: '2026-11-21T22:00:00.000Z',
      },
    });
  });

  it('falls back for the title (alertname, then a default, at most 500 characters) and the description', () => {
    const [byName, byDefault, long] = mapAlertmanagerPayload({
      alerts: [
        alert({ labels: { alertname: 'Disk' } }),
        alert({ labels: { x: '1' } }),
        alert({ labels: { x: '2' }, annotations: { summary: 's'.repeat(600) } }),
      ],
    });
    expect(byName).toMatchObject({ alert: { title: 'Disk', description: null, annotations: {}, severity: 'warning' } });
    expect(byDefault).toMatchObject({ alert: { title: 'Alertmanager alert' } });
    expect(long.status === 'firing' && long.alert.title).toHaveLength(500);
  });

  it('uses the zero time and unparsable times as "now" (null)', () => {
    const changes = mapAlertmanagerPayload({
      alerts: [alert({ startsAt: '0001-01-01T00:00:00Z' }), alert({ startsAt: 'yesterday' }), alert({}), alert({ status: 'resolved', endsAt: 'soon' })],
    });
    expect(changes.map((c) => (c.status === 'firing' ? c.alert.startsAt : c.endsAt))).toEqual([null, null, null, null]);
  });

  it('maps a resolved alert to its fingerprint and end time, in payload order', () => {
    const labels = { alertname: 'Disk', host: 'db1' };
    const changes = mapAlertmanagerPayload({
      alerts: [alert({ status: 'resolved', labels, endsAt: '2026-11-21T22:10:00.000Z' }), alert({ labels })],
    });
    expect(changes[0]).toEqual({ status: 'resolved', fingerprint: deriveFingerprint({ labels, title: '' }), endsAt: '2026-11-21T22:10:00.000Z', labels });
    expect(changes[1]).toMatchObject({ status: 'firing', alert: { fingerprint: deriveFingerprint({ labels, title: '' }) } });
  });

  it("uses Alertmanager's fingerprint only without labels, else a fixed one", () => {
    const [given, none] = mapAlertmanagerPayload({ alerts: [alert({ fingerprint: 'c0ffee' }), alert({})] });
    expect(given).toMatchObject({ alert: { fingerprint: 'c0ffee' } });
    expect(none).toMatchObject({ alert: { fingerprint: deriveFingerprint({ title: 'alertmanager' }) } });
  });
});

describe('planAlertmanagerRounds', () => {
  const firing = (fingerprint: string, title: string, startsAt: string | null = null): AlertmanagerChange => ({
    status: 'firing',
    alert: { fingerprint, title, severity: 'warning', source: 'alertmanager', description: null, labels: {}, annotations: { summary: title }, startsAt },
  });
  const resolved = (fingerprint: string, endsAt: string | null = null): AlertmanagerChange => ({ status: 'resolved', fingerprint, endsAt, labels: {} });

  it('puts distinct fingerprints in one round', () => {
    const rounds = planAlertmanagerRounds([firing('a', 'A'), resolved('b'), firing('c', 'C')]);
    expect(rounds).toHaveLength(1);
    expect(rounds[0].firing.map((f) => [f.alert.fingerprint, f.count])).toEqual([
      ['a', 1],
      ['c', 1],
    ]);
    expect(rounds[0].resolved).toEqual([{ fingerprint: 'b', endsAt: null, count: 1, labels: {} }]);
  });

  it('collapses repeated firing entries: the last content wins, the first start stays, the count adds up', () => {
    const rounds = planAlertmanagerRounds([
      firing('a', 'first', '2026-11-21T22:00:00.000Z'),
      firing('b', 'B'),
      firing('a', 'second', null),
      firing('a', 'third', '2026-11-21T23:00:00.000Z'),
    ]);
    expect(rounds).toHaveLength(1);
    expect(rounds[0].firing).toEqual([
      { alert: { ...(firing('a', 'third') as { alert: object }).alert, startsAt: '2026-11-21T22:00:00.000Z' }, count: 3 },
      { alert: (firing('b', 'B') as { alert: object }).alert, count: 1 },
    ]);
  });

  it('collapses repeated resolved entries: the first end time resolves, the rest are counted', () => {
    const [round] = planAlertmanagerRounds([resolved('a', '2026-11-21T22:10:00.000Z'), resolved('a', '2026-11-21T22:20:00.000Z')]);
    expect(round.resolved).toEqual([{ fingerprint: 'a', endsAt: '2026-11-21T22:10:00.000Z', count: 2, labels: {} }]);
  });

  it('keeps the order of a fingerprint that fires, resolves and fires again: one round per run', () => {
    const rounds = planAlertmanagerRounds([firing('a', 'A1'), firing('b', 'B'), resolved('a'), firing('a', 'A2')]);
    expect(rounds.map((r) => [r.firing.map((f) => f.alert.title), r.resolved.map((x) => x.fingerprint)])).toEqual([
      [['A1', 'B'], []],
      [[], ['a']],
      [['A2'], []],
    ]);
  });

  // A model of the table: one firing row at most per fingerprint. Applying the rounds must leave it exactly as
  // applying the changes one by one did, with the same counts.
  it('gives the same rows and counts as applying the changes one by one', () => {
    type Row = { title: string; occurrences: number; startsAt: string | null; resolvedAt?: string | null };
    const change = fc.oneof(
      fc
        .record({ fp: fc.constantFrom('a', 'b', 'c'), title: fc.string({ maxLength: 3 }), at: fc.option(fc.constantFrom('t1', 't2')) })
        .map(({ fp, title, at }) => firing(fp, title, at)),
      fc.record({ fp: fc.constantFrom('a', 'b', 'c'), at: fc.option(fc.constantFrom('e1', 'e2')) }).map(({ fp, at }) => resolved(fp, at)),
    );
    fc.assert(
      fc.property(fc.array(change, { maxLength: 12 }), fc.subarray(['a', 'b', 'c']), (changes, initiallyFiring) => {
        const start = () => ({
          firing: new Map<string, Row>(initiallyFiring.map((fp) => [fp, { title: 'old', occurrences: 5, startsAt: 't0' }])),
          resolved: [] as Array<Row & { fp: string }>,
          counts: { created: 0, updated: 0, resolved: 0, ignored: 0 },
        });
        const upsert = (s: ReturnType<typeof start>, fp: string, title: string, startsAt: string | null, count: number) => {
          const row = s.firing.get(fp);
          if (row) {
            s.firing.set(fp, { ...row, title, occurrences: row.occurrences + count });
            s.counts.updated += count;
          } else {
            s.firing.set(fp, { title, occurrences: count, startsAt });
            s.counts.created += 1;
            s.counts.updated += count - 1;
          }
        };
        const resolve = (s: ReturnType<typeof start>, fp: string, endsAt: string | null, count: number) => {
          const row = s.firing.get(fp);
          if (row) {
            s.firing.delete(fp);
            s.resolved.push({ ...row, fp, resolvedAt: endsAt });
            s.counts.resolved += 1;
          }
          s.counts.ignored += count - (row ? 1 : 0);
        };
        const oneByOne = start();
        for (const c of changes) {
          if (c.status === 'firing') upsert(oneByOne, c.alert.fingerprint, c.alert.title, c.alert.startsAt, 1);
          else resolve(oneByOne, c.fingerprint, c.endsAt, 1);
        }
        const batched = start();
        for (const round of planAlertmanagerRounds(changes)) {
          expect(new Set([...round.firing.map((f) => f.alert.fingerprint), ...round.resolved.map((r) => r.fingerprint)]).size).toBe(
            round.firing.length + round.resolved.length,
          );
          for (const f of round.firing) upsert(batched, f.alert.fingerprint, f.alert.title, f.alert.startsAt, f.count);
          for (const r of round.resolved) resolve(batched, r.fingerprint, r.endsAt, r.count);
        }
        expect(batched.counts).toEqual(oneByOne.counts);
        expect([...batched.firing].sort()).toEqual([...oneByOne.firing].sort());
        const byFp = (a: { fp: string }, b: { fp: string }) => (a.fp < b.fp ? -1 : a.fp > b.fp ? 1 : 0);
        expect([...batched.resolved].sort(byFp)).toEqual([...oneByOne.resolved].sort(byFp));
      }),
    );
  });
});

describe('fanOutEvents', () => {
  const firing = (fingerprint: string, severity: AlertInput['severity']): AlertmanagerChange => ({
    status: 'firing',
    alert: { fingerprint, title: fingerprint, severity, source: 'alertmanager', description: null, labels: {}, annotations: {}, startsAt: null },
  });
  const resolved = (fingerprint: string): AlertmanagerChange => ({ status: 'resolved', fingerprint, endsAt: null, labels: { team: fingerprint } });

  it('leaves round 1 to the database and knows every later event: a create after a resolve, a resolve of the run before', () => {
    const events = fanOutEvents(
      planAlertmanagerRounds([
        firing('a', 'high'),
        resolved('b'),
        resolved('a'),
        firing('b', 'info'),
        firing('a', 'critical'),
        firing('a', 'info'),
        resolved('b'),
      ]),
    );
    expect(events.map(({ alert: _alert, ...e }) => e)).toEqual([
      { fingerprint: 'a', event: 'alert.created', severity: 'high', first: true },
      { fingerprint: 'b', event: 'alert.resolved', severity: null, first: true },
      { fingerprint: 'b', event: 'alert.created', severity: 'info', first: false },
      { fingerprint: 'a', event: 'alert.resolved', severity: 'high', first: false },
      // a's firing run of two entries: one create, with the last entry's severity
      { fingerprint: 'a', event: 'alert.created', severity: 'info', first: false },
      { fingerprint: 'b', event: 'alert.resolved', severity: 'info', first: false },
    ]);
    // What matchers see: a create's alert as mapped; a resolve's payload labels, its severity label mapped (or the run's), source alertmanager.
    expect(events[0].alert).toMatchObject({ fingerprint: 'a', severity: 'high', source: 'alertmanager' });
    expect(events[1].alert).toEqual({ labels: { team: 'b' }, severity: 'warning', source: 'alertmanager' });
    expect(events[5].alert).toEqual({ labels: { team: 'b' }, severity: 'info', source: 'alertmanager' });
  });

  it('one event per entry at most, and one per fingerprint for a payload of each alert once', () => {
    const once = Array.from({ length: 50 }, (_, i) => (i % 3 ? firing(`f${i}`, 'warning') : resolved(`f${i}`)));
    const events = fanOutEvents(planAlertmanagerRounds(once));
    expect(events).toHaveLength(50);
    expect(events.every((e) => e.first)).toBe(true);
  });
});
