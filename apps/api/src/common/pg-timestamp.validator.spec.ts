import fc from 'fast-check';
import { isPgTimestamp } from './pg-timestamp.validator';

describe('isPgTimestamp', () => {
  it.each([
    '2024-01-01',
    '2024-02-29T10:00Z',
    '2026-11-21T22:00:00.000Z',
    '2026-11-21T22:00:00.123456789Z', // Alertmanager's RFC 3339 with nanoseconds
    '0001-01-01T00:00:00Z', // Alertmanager's zero time for a firing alert's endsAt
    '2024-01-01T10:00:00+05:30',
    '2024-01-01T10:00:00-0800',
    '9999-12-31T23:59:59.999+15:59',
  ])('accepts %s', (v) => expect(isPgTimestamp(v)).toBe(true));

  it.each([
    '2024-02-30',
    '2023-02-29',
    '2024-04-31T00:00:00Z',
    '2024-W05-3',
    '2024-W05',
    '2024-032',
    '0000-01-01',
    '0000-01-01T00:00:00Z',
    '+275761-01-01T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '10000-01-01',
    '2024-01-01T24:00:00Z',
    '2024-01-01T10:60Z',
    '2024-01-01T10:00:60Z',
    '2024-01-01T10:00:00+16:00',
    '2024-13-01',
    '2024-00-10',
    '20240101',
    'yesterday',
    '',
    '2024-01-01T10:00:00Z\u0000',
  ])('rejects %s', (v) => expect(isPgTimestamp(v)).toBe(false));

  it('rejects non-strings', () => {
    for (const v of [undefined, null, 0, 1704067200000, {}, []]) expect(isPgTimestamp(v)).toBe(false);
  });

  it('accepts every instant of years 0001-9999 as toISOString writes it, and its date part', () => {
    const dates = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
    fc.assert(fc.property(dates, (d) => isPgTimestamp(d.toISOString()) && isPgTimestamp(d.toISOString().slice(0, 10))));
  });

  it('never accepts what Date cannot parse', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => !isPgTimestamp(s) || !Number.isNaN(Date.parse(s))));
  });
});
