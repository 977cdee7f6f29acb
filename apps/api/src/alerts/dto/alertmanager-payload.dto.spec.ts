import fc from 'fast-check';
import { type BodyFastPath, bodyFastPathOf } from '../../common/body-fast-path';
import { fastPathAgreesWithClassValidator } from '../../common/body-fast-path.spec-helper';
import { AlertmanagerAlertDto, AlertmanagerPayloadDto } from './alertmanager-payload.dto';

const fast = bodyFastPathOf(AlertmanagerPayloadDto) as BodyFastPath<AlertmanagerPayloadDto>;

const anyValue = fc.oneof(fc.constant(null), fc.integer(), fc.double(), fc.boolean(), fc.constant([]), fc.constant({}), fc.string({ maxLength: 3 }));
/** Mostly a valid value, sometimes one at or past an edge, now and then another type. */
const pick = <T>(valid: T[], edges: T[]) =>
  fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...valid) }, { weight: 2, arbitrary: fc.constantFrom(...edges) }, { weight: 1, arbitrary: anyValue });
const map = fc.oneof(
  { weight: 30, arbitrary: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom({ k: 1 }, { '': 'v' }, { ['x'.repeat(129)]: 'v' }) },
  { weight: 1, arbitrary: anyValue },
);
const text = (max: number) => pick(['', 'a', 'x'.repeat(max), `${'x'.repeat(max - 2)}😀`], ['x'.repeat(max + 1), '\uD800']);
const extra = fc.oneof({ weight: 15, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('extra', 'constructor', 'Status') });
const withExtra = <T extends object>(arb: fc.Arbitrary<T>) => fc.tuple(arb, extra).map(([o, k]) => (k === null ? o : { ...o, [k]: 'x' }));

const alert = withExtra(
  fc.record(
    {
      status: pick(['firing', 'resolved'], ['Firing', '']),
      labels: map,
      annotations: map,
      startsAt: pick(['2026-12-01T10:00:00.123456789Z', '0001-01-01T00:00:00Z'], ['2026-02-30T00:00:00Z', 'now']),
      endsAt: pick(['0001-01-01T00:00:00Z', '2026-12-01T11:00:00Z'], ['soon']),
      generatorURL: text(4096),
      fingerprint: text(128),
    },
    { requiredKeys: ['status', 'labels'] },
  ),
);
const payloads = withExtra(
  fc.record(
    {
      version: pick(['4'], ['3', '']),
      groupKey: text(4096),
      truncatedAlerts: pick([0, 3], [1.5, -0]),
      status: pick(['firing', 'resolved'], ['x']),
      receiver: text(500),
      groupLabels: map,
      commonLabels: map,
      commonAnnotations: map,
      externalURL: text(4096),
      alerts: fc.oneof({ weight: 30, arbitrary: fc.array(alert, { maxLength: 4 }) }, { weight: 1, arbitrary: anyValue }),
    },
    { requiredKeys: ['version', 'status', 'alerts'] },
  ),
).map((p) => JSON.stringify(p)); // as a request body arrives (the pipe may edit it, so each path parses its own copy)

describe('AlertmanagerPayloadDto fast path', () => {
  it('accepts only what class-validator accepts, and yields the same DTO', async () => {
    const { accepted, slowAccepted } = await fastPathAgreesWithClassValidator(AlertmanagerPayloadDto, payloads, 2000, (quick, slow) => {
      for (const a of quick.alerts) expect(a).toBeInstanceOf(AlertmanagerAlertDto);
      expect(JSON.parse(JSON.stringify(quick))).toEqual(JSON.parse(JSON.stringify(slow)));
    });
    // Not vacuous: most payloads class-validator accepts take the fast path.
    expect(accepted).toBeGreaterThan(slowAccepted / 2);
    expect(accepted).toBeGreaterThan(200);
  });

  it("takes Alertmanager's own payload", () => {
    const payload = {
      version: '4',
      groupKey: '{}:{alertname="Disk"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'signalgate',
      groupLabels: { alertname: 'Disk' },
      commonLabels: { alertname: 'Disk' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Disk', instance: 'db-1' },
          annotations: { summary: 'full' },
          startsAt: '2026-12-01T10:00:00.123456789Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prom/graph',
          fingerprint: 'c0ffee',
        },
      ],
    };
    const dto = fast(payload);
    expect(dto?.alerts[0]).toBeInstanceOf(AlertmanagerAlertDto);
    expect(dto?.alerts[0].labels).toEqual({ alertname: 'Disk', instance: 'db-1' });
  });
});
