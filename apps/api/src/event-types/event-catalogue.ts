import { EVENT_TYPES, type EventType, SEVERITIES } from '@app/delivery';
import type { AlertView } from '../alerts/alert.view';

/**
 * The event catalogue: every event type Signalgate delivers to webhooks, with the JSON Schema (draft 2020-12) of the
 * body it POSTs. The one source for GET /api/v1/event-types and the OpenAPI document's `webhooks` section; the
 * compile-time checks below fail when a payload shape gains or loses a field that is not described here, and
 * test/event-catalogue.e2e-spec.ts validates real deliveries against both.
 *
 * The schemas are closed (`additionalProperties: false`) and list every field as required: they describe exactly
 * what is sent, so a field added to the view without its schema fails the tests instead of reaching receivers
 * undocumented. Receivers should still ignore fields they do not know: new fields are added (to the code and to
 * these schemas together) without a new event type; a field is never removed or retyped within /api/v1.
 */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** A JSON Schema object, as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

export interface EventCatalogueEntry {
  type: EventType;
  description: string;
  /** The whole request body: the envelope `{ type, timestamp, data }`. */
  schema: JsonSchema;
}

type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : never;

const string = { type: 'string' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
const NULL = { type: 'null' } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** The alert as toAlertView writes it (the same shape as the API's alert responses). */
const alertProperties = {
  id: { type: 'string', format: 'uuid' },
  fingerprint: string,
  title: string,
  severity: { type: 'string', enum: [...SEVERITIES] },
  status: { type: 'string', enum: ['firing', 'resolved'] },
  source: nullableString,
  description: nullableString,
  labels: stringMap,
  annotations: stringMap,
  occurrences: { type: 'integer', minimum: 1 },
  starts_at: dateTime,
  resolved_at: nullableDateTime,
  acknowledged_at: nullableDateTime,
  acknowledged_by: nullableString,
  acknowledgement_note: nullableString,
  created_at: dateTime,
  updated_at: dateTime,
  acknowledged: { type: 'boolean' },
} as const;
export const alertPropertiesKeys: SameKeys<AlertView, typeof alertProperties> = true;

/** The `data` of a `webhook.test` delivery (WebhooksService.sendTest builds it with this type). */
export interface WebhookTestData {
  webhook_id: string;
  message: string;
}
const webhookTestProperties = {
  webhook_id: { type: 'string', format: 'uuid' },
  message: string,
} as const;
export const webhookTestKeys: SameKeys<WebhookTestData, typeof webhookTestProperties> = true;

/** A closed object schema whose every property is required. */
function closedObject(properties: Record<string, JsonSchema>, description?: string): JsonSchema {
  return { type: 'object', ...(description ? { description } : {}), properties, required: Object.keys(properties), additionalProperties: false };
}

/** The alert, with what the event guarantees on top of the view (e.g. `alert.resolved` always has `resolved_at`). */
function alertData(overrides: Partial<Record<keyof typeof alertProperties, JsonSchema>>): JsonSchema {
  return closedObject({ ...alertProperties, ...overrides }, 'The alert after the change, as GET /api/v1/alerts/{id} shows it (without `deliveries`)');
}

/** The body of every delivery: Standard Webhooks style, the event type repeated inside. */
function envelope(type: EventType, data: JsonSchema): JsonSchema {
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: type,
    ...closedObject({
      type: { const: type },
      timestamp: { ...dateTime, description: 'When the event happened (the delivery keeps it across retries)' },
      data,
    }),
  };
}

const CATALOGUE: Record<EventType, Omit<EventCatalogueEntry, 'type'>> = {
  'alert.created': {
    description:
      'A new alert started firing (POST /api/v1/alerts or an Alertmanager notification). A repeat of a firing fingerprint only counts an occurrence and sends nothing.',
    schema: envelope(
      'alert.created',
      alertData({
        status: { const: 'firing' },
        resolved_at: NULL,
        acknowledged_at: NULL,
        acknowledged_by: NULL,
        acknowledgement_note: NULL,
        acknowledged: { const: false },
      }),
    ),
  },
  'alert.acknowledged': {
    description: 'An alert was acknowledged for the first time (POST /api/v1/alerts/{id}/acknowledge); a repeat sends nothing.',
    schema: envelope('alert.acknowledged', alertData({ acknowledged_at: dateTime, acknowledged_by: string, acknowledged: { const: true } })),
  },
  'alert.resolved': {
    description:
      'A firing alert was resolved (POST /api/v1/alerts/{id}/resolve or a resolved Alertmanager notification); resolving a resolved alert sends nothing.',
    schema: envelope('alert.resolved', alertData({ status: { const: 'resolved' }, resolved_at: dateTime })),
  },
  'webhook.test': {
    description: 'A test delivery to one webhook (POST /api/v1/webhooks/{id}/test), whatever its event and severity filters.',
    schema: envelope('webhook.test', closedObject(webhookTestProperties)),
  },
};

/** Every event type, in EVENT_TYPES order. Deep copies: callers may not change the catalogue. */
export function eventCatalogue(): EventCatalogueEntry[] {
  return EVENT_TYPES.map((type) => ({ type, description: CATALOGUE[type].description, schema: structuredClone(CATALOGUE[type].schema) }));
}
