import fc from 'fast-check';
import { bodyFastPathOf } from '../../common/body-fast-path';
import { fastPathAgreesWithClassValidator } from '../../common/body-fast-path.spec-helper';
import { CreateAlertDto } from './create-alert.dto';

const fast = bodyFastPathOf(CreateAlertDto)!;

// Mostly plausible values, often values near each rule's edges (lengths at the bounds, characters validator.js
// counts differently), sometimes the wrong type; keys present or not, and now and then a key the DTO does not have.
const text = (max: number) =>
  fc.oneof(
    { weight: 40, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 0, maxLength: 4 }) },
    { weight: 2, arbitrary: fc.constantFrom('', 'a', '\uFE0F', 'a\uFE0F', '😀', '\uD800', 'x'.repeat(max), 'x'.repeat(max + 1), `${'x'.repeat(max - 1)}😀`) },
  );
const anyValue = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.constant([]), fc.constant({}));
const field = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 20, arbitrary: arb }, { weight: 1, arbitrary: anyValue });
/** Mostly a valid value, sometimes one at or past an edge. */
const pick = <T>(valid: T[], edges: T[]) => fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...edges) });
const map = field(
  fc.oneof(
    { weight: 20, arbitrary: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom({ k: 1 }, { '': 'v' }, { ['x'.repeat(129)]: 'v' }, { k: 'x'.repeat(65537) }) },
  ),
);
const bodies = fc
  .tuple(
    fc.record(
      {
        title: field(text(500)),
        severity: field(pick(['critical', 'high', 'warning', 'info'], ['Info', 'fatal', ''])),
        source: field(text(200)),
        description: field(pick(['', 'd', 'x'.repeat(10000)], ['x'.repeat(10001)])),
        labels: map,
        annotations: map,
        fingerprint: field(pick(['fp-1', 'a:b.c_d', 'x'.repeat(128)], ['', 'x'.repeat(129), 'bad fp', 'ü'])),
        starts_at: field(pick(['2026-12-01T10:00:00Z', '2026-12-01', '2026-12-01T10:00+02:00'], ['2026-02-30', '2026-W05-3', 'soon'])),
      },
      { requiredKeys: ['title', 'severity'] },
    ),
    fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('extra', 'constructor', 'Title') }),
  )
  // As a request body arrives: parsed from JSON (the pipe may edit it, so each path gets its own copy).
  .map(([body, extra]) => JSON.stringify(extra === null ? body : { ...body, [extra]: 'x' }));

describe('CreateAlertDto fast path', () => {
  it('accepts only what class-validator accepts, and yields the same DTO', async () => {
    const { accepted, slowAccepted } = await fastPathAgreesWithClassValidator(CreateAlertDto, bodies, 3000, (quick, slow) =>
      expect({ ...quick }).toEqual({ ...slow }),
    );
    // Not vacuous: many generated bodies take the fast path (the rest, lone surrogates and the like, are left to
    // class-validator on purpose).
    expect(accepted).toBeGreaterThan(slowAccepted / 2);
    expect(accepted).toBeGreaterThan(500);
  });

  it('takes the usual intake body', () => {
    const body = { title: 'Disk almost full', severity: 'warning', source: 'node-exporter', labels: { host: 'db-1' }, fingerprint: 'f-1' };
    expect(fast(body)).toEqual(Object.assign(new CreateAlertDto(), body));
  });

  it('leaves anything unusual to class-validator', () => {
    for (const body of [
      null,
      [],
      'x',
      { title: 'x' },
      { title: 'x', severity: 'info', extra: 1 },
      { title: '\uFE0F', severity: 'info' },
      { title: 'x', severity: 'info', source: '' },
    ]) {
      expect(fast(body)).toBeUndefined();
    }
  });
});
