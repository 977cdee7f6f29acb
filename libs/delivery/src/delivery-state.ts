import type { DeliveryStatus } from './delivery.entity';

/**
 * What the API, the dashboard and /metrics call a delivery. `paused` is not stored: it is a `pending` row whose
 * webhook is not active (paused through the API, or disabled), read through the join at query time, so pausing and
 * re-activating need no write to the deliveries and cannot race a fan-out or an attempt returning to the queue.
 * On re-activation such rows are due again at their `next_attempt_at`; left paused longer than
 * DELIVERY_PAUSED_EXPIRE_HOURS they fail (LeaseReaper, PAUSED_EXPIRED_ERROR).
 */
export type DeliveryState = DeliveryStatus | 'paused';

export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'paused', 'in_flight', 'succeeded', 'failed'];

/** `last_error` of a delivery failed because its webhook stayed paused past DELIVERY_PAUSED_EXPIRE_HOURS. */
export const PAUSED_EXPIRED_ERROR = 'expired while the webhook was paused';

export function deliveryState(status: DeliveryStatus, webhookActive: boolean): DeliveryState {
  return status === 'pending' && !webhookActive ? 'paused' : status;
}
