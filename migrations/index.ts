import type { MigrationInterface } from 'typeorm';
import { Init1732300000000 } from './1732300000000-Init';
import { DeliveryQueue1732400000000 } from './1732400000000-DeliveryQueue';
import { WebhookRecoveries1732500000000 } from './1732500000000-WebhookRecoveries';
import { WebhookSendRate1732600000000 } from './1732600000000-WebhookSendRate';
import { RetentionIndexes1732700000000 } from './1732700000000-RetentionIndexes';
import { WebhookMatchers1732800000000 } from './1732800000000-WebhookMatchers';

type MigrationClass = new () => MigrationInterface;

/**
 * Every migration the build ships, in order. Explicit because globs find nothing in a bundle;
 * `migrations/index.spec.ts` fails when this list and the folder disagree.
 */
export const MIGRATIONS: MigrationClass[] = [
  Init1732300000000,
  DeliveryQueue1732400000000,
  WebhookRecoveries1732500000000,
  WebhookSendRate1732600000000,
  RetentionIndexes1732700000000,
  WebhookMatchers1732800000000,
];
