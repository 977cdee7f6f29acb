import type { OpenAPIObject } from '@nestjs/swagger';
import type { PathItemObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { eventCatalogue } from '../event-types/event-catalogue';

export const OPENAPI_VERSION = '3.1.0';

/**
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, which has no `nullable`: @nestjs/swagger still writes the 3.0 form, so
 * each `{ type: T, nullable: true }` becomes `{ type: [T, 'null'] }` (null joins an `enum` too, or it would refuse
 * null), and a nullable schema without a single `type` becomes `anyOf` with `{ type: 'null' }`. Changes in place.
 */
export function dropNullable(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) dropNullable(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  for (const value of Object.values(schema)) dropNullable(value);
  if (typeof schema.nullable !== 'boolean') return;
  const nullable = schema.nullable;
  delete schema.nullable;
  if (!nullable) return;
  if (typeof schema.type === 'string') {
    schema.type = [schema.type, 'null'];
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...(schema.enum as unknown[]), null];
    return;
  }
  if (Array.isArray(schema.type)) {
    if (!schema.type.includes('null')) schema.type = [...(schema.type as unknown[]), 'null'];
    return;
  }
  const rest = { ...schema };
  for (const key of Object.keys(schema)) delete schema[key];
  const { description, ...inner } = rest;
  Object.assign(schema, description === undefined ? {} : { description }, { anyOf: [inner, { type: 'null' }] });
}

/** The request headers of every delivery (libs/delivery: the dispatcher and the Standard Webhooks signature). */
const DELIVERY_HEADERS = [
  {
    name: 'webhook-id',
    description: 'The delivery id: the same on every retry of one delivery (deduplicate on it)',
    schema: { type: 'string', format: 'uuid' },
  },
  {
    name: 'webhook-timestamp',
    description: 'Unix time (seconds) of this attempt; part of the signed content',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  {
    name: 'webhook-signature',
    description:
      'Space-separated `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>` (Standard Webhooks), one per valid secret during a rotation',
    schema: { type: 'string', pattern: '^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$' },
  },
  { name: 'user-agent', required: false, schema: { type: 'string', const: 'Signalgate-Webhooks/1' } },
].map((h) => ({ in: 'header' as const, required: true, ...h }));

/** The `webhooks` section: one POST per event type, its body schema taken from the event catalogue as is. */
export function eventWebhooks(): Record<string, PathItemObject> {
  return Object.fromEntries(
    eventCatalogue().map(({ type, description, schema }) => [
      type,
      {
        post: {
          tags: ['event-types'],
          summary: `The ${type} event`,
          description: `${description} The same schema is served by GET /api/v1/event-types.`,
          parameters: DELIVERY_HEADERS,
          requestBody: { required: true, content: { 'application/json': { schema } } },
          responses: {
            '2XX': { description: 'Delivered: any 2xx ends the delivery' },
            default: { description: 'Anything else, or no answer within WEBHOOK_TIMEOUT_MS: the delivery is retried per WEBHOOK_RETRY_SCHEDULE' },
          },
        },
      } as PathItemObject,
    ]),
  );
}

/** The scanned 3.0-style document as OpenAPI 3.1: no `nullable`, and the outgoing events under `webhooks`. */
export function toOpenApi31(document: OpenAPIObject): OpenAPIObject {
  dropNullable(document.components);
  dropNullable(document.paths);
  return { ...document, openapi: OPENAPI_VERSION, webhooks: eventWebhooks() };
}
