import { EVENT_TYPES } from '@app/delivery';
import { eventCatalogue } from '../event-types/event-catalogue';
import { dropNullable, eventWebhooks } from './openapi-31';

describe('OpenAPI 3.1 conversion', () => {
  it('turns `nullable` into a type array, adds null to a nullable enum, and wraps a nullable $ref in anyOf', () => {
    const doc = {
      schemas: {
        A: {
          type: 'object',
          properties: {
            s: { type: 'string', nullable: true, format: 'date-time' },
            e: { type: 'string', enum: ['a', 'b'], nullable: true },
            n: { type: 'string', enum: ['a', null], nullable: true },
            r: { $ref: '#/components/schemas/B', nullable: true, description: 'maybe' },
            f: { type: 'integer', nullable: false },
            nullable: { type: 'boolean' },
          },
        },
      },
    };
    dropNullable(doc);
    expect(doc.schemas.A.properties).toEqual({
      s: { type: ['string', 'null'], format: 'date-time' },
      e: { type: ['string', 'null'], enum: ['a', 'b', null] },
      n: { type: ['string', 'null'], enum: ['a', null] },
      r: { description: 'maybe', anyOf: [{ $ref: '#/components/schemas/B' }, { type: 'null' }] },
      f: { type: 'integer' },
      nullable: { type: 'boolean' },
    });
  });

  it('describes one webhook per event type, its body schema being the catalogue entry itself', () => {
    const webhooks = eventWebhooks();
    expect(Object.keys(webhooks)).toEqual(EVENT_TYPES);
    for (const entry of eventCatalogue()) {
      const op = webhooks[entry.type].post;
      expect(op?.requestBody).toEqual({ required: true, content: { 'application/json': { schema: entry.schema } } });
      expect(op?.parameters?.map((p) => ('name' in p ? p.name : ''))).toEqual(expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature']));
    }
  });
});
