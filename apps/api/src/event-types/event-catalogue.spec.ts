import { randomUUID } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { EVENT_TYPES, type EventType } from '@app/delivery';
import { AlertEntity } from '../alerts/alert.entity';
import { toAlertView } from '../alerts/alert.view';
import { eventCatalogue, JSON_SCHEMA_DIALECT } from './event-catalogue';

/** Strict Ajv: an unknown keyword or a misspelt one in a catalogue schema fails to compile. */
function validatorFor(type: EventType) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  const entry = eventCatalogue().find((e) => e.type === type);
  if (!entry) throw new Error(`no catalogue entry for ${type}`);
  return ajv.compile(entry.schema);
}

function alert(overrides: Partial<AlertEntity> = {}): AlertEntity {
  const now = new Date('2026-01-02T03:04:05.678Z');
  return Object.assign(new AlertEntity(), {
    id: randomUUID(),
    fingerprint: 'f'.repeat(64),
    title: 'Disk full',
    severity: 'critical',
    status: 'firing',
    source: null,
    description: null,
    labels: { host: 'db-1' },
    annotations: {},
    occurrences: 1,
    startsAt: now,
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    acknowledgementNote: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  });
}

/** The body as the outbox writes it: JSON text, so dates are ISO strings. */
const body = (type: EventType, data: object) => JSON.parse(JSON.stringify({ type, timestamp: new Date().toISOString(), data })) as Record<string, unknown>;
const later = new Date('2026-01-02T04:00:00.000Z');

describe('event catalogue', () => {
  it('has an entry for every EventType, in order, each with a description and a draft 2020-12 envelope schema', () => {
    const catalogue = eventCatalogue();
    expect(catalogue.map((e) => e.type)).toEqual(EVENT_TYPES);
    for (const entry of catalogue) {
      expect(entry.description.length).toBeGreaterThan(20);
      expect(entry.schema).toMatchObject({
        $schema: JSON_SCHEMA_DIALECT,
        type: 'object',
        required: ['type', 'timestamp', 'data'],
        additionalProperties: false,
        properties: { type: { const: entry.type }, timestamp: { format: 'date-time' } },
      });
      expect(() => validatorFor(entry.type)).not.toThrow();
    }
  });

  it('accepts the bodies the service writes for each event', () => {
    const acknowledged = alert({ acknowledgedAt: later, acknowledgedBy: 'ops', acknowledgementNote: 'on it', updatedAt: later });
    const samples: Record<EventType, object> = {
      'alert.created': toAlertView(alert({ source: 'prom', description: 'd', annotations: { a: 'b' } })),
      'alert.acknowledged': toAlertView(acknowledged),
      'alert.resolved': toAlertView(alert({ status: 'resolved', resolvedAt: later, updatedAt: later })),
      'webhook.test': { webhook_id: randomUUID(), message: 'Test delivery from Signalgate' },
    };
    for (const type of EVENT_TYPES) {
      const validate = validatorFor(type);
      expect([type, validate(body(type, samples[type])) ? 'valid' : validate.errors]).toEqual([type, 'valid']);
    }
    // Resolving an acknowledged alert: still a valid alert.resolved.
    const validate = validatorFor('alert.resolved');
    expect(validate(body('alert.resolved', toAlertView(Object.assign(acknowledged, { status: 'resolved', resolvedAt: later }))))).toBe(true);
  });

  it('rejects what the service never sends: a missing, extra or mistyped field, a wrong type, a contradicting state', () => {
    const created = validatorFor('alert.created');
    const good = body('alert.created', toAlertView(alert()));
    expect(created(good)).toBe(true);
    const data = good.data as Record<string, unknown>;
    const variants: Array<[string, Record<string, unknown>]> = [
      ['missing data field', { ...good, data: { ...data, fingerprint: undefined } }],
      ['extra data field', { ...good, data: { ...data, secret: 'x' } }],
      ['extra envelope field', { ...good, extra: 1 }],
      ['missing timestamp', { type: good.type, data }],
      ['wrong type', { ...good, type: 'alert.resolved' }],
      ['not a uuid', { ...good, data: { ...data, id: 'nope' } }],
      ['not a date-time', { ...good, timestamp: 'yesterday' }],
      ['severity outside the enum', { ...good, data: { ...data, severity: 'loud' } }],
      ['label not a string', { ...good, data: { ...data, labels: { a: 1 } } }],
      ['created but already resolved', { ...good, data: { ...data, status: 'resolved' } }],
      ['created but acknowledged', { ...good, data: { ...data, acknowledged: true } }],
    ];
    for (const [name, variant] of variants) expect([name, created(JSON.parse(JSON.stringify(variant)))]).toEqual([name, false]);

    const resolved = validatorFor('alert.resolved');
    expect(resolved(body('alert.resolved', toAlertView(alert({ status: 'resolved' }))))).toBe(false); // no resolved_at
    const acknowledged = validatorFor('alert.acknowledged');
    expect(acknowledged(body('alert.acknowledged', toAlertView(alert())))).toBe(false); // not acknowledged
    const test = validatorFor('webhook.test');
    expect(test(body('webhook.test', { webhook_id: randomUUID() }))).toBe(false);
  });

  it('hands out copies: a caller changing its schema does not change the catalogue', () => {
    const [first] = eventCatalogue();
    (first.schema.properties as Record<string, unknown>).data = {};
    expect((eventCatalogue()[0].schema.properties as Record<string, unknown>).data).toMatchObject({ additionalProperties: false });
  });
});
