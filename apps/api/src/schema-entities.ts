import { DeliveryAttemptEntity, DeliveryEntity, WebhookEntity, WebhookRecoveryEntity, WebhookRoutingEntity } from '@app/delivery';
import { AlertEntity } from './alerts/alert.entity';
import { IdempotencyKeyEntity } from './alerts/idempotency-key.entity';

/**
 * Every entity of the schema, the API's (alerts) and the delivery lib's: the `typeorm` CLI's list
 * (typeorm-data-source.ts). test/schema-drift.e2e-spec.ts fails if an entity class is missing from it.
 */
export const SCHEMA_ENTITIES = [
  AlertEntity,
  IdempotencyKeyEntity,
  DeliveryEntity,
  DeliveryAttemptEntity,
  WebhookEntity,
  WebhookRecoveryEntity,
  WebhookRoutingEntity,
];
