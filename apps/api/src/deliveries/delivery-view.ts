import { type DeliveryAttemptEntity, deliveryState } from '@app/delivery';
import type { DeliveryWithWebhook } from './deliveries.repository';

/**
 * The API shape of a delivery (without its payload, which only the detail view carries). `status` is its
 * DeliveryState: a pending delivery of a webhook that is not active shows `paused`, with no next attempt scheduled.
 */
export function toDeliveryView(d: DeliveryWithWebhook) {
  const status = deliveryState(d.status, d.webhook.isActive);
  return {
    id: d.id,
    webhook_id: d.webhookId,
    alert_id: d.alertId,
    event_type: d.eventType,
    status,
    attempts: d.attempts,
    next_attempt_at: status === 'pending' ? d.nextAttemptAt : null,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    completed_at: d.completedAt,
  };
}
export type DeliveryView = ReturnType<typeof toDeliveryView>;

export function toAttemptView(a: DeliveryAttemptEntity) {
  return {
    attempt: a.attempt,
    success: a.success,
    status_code: a.statusCode,
    error: a.error,
    response_body: a.responseBody,
    duration_ms: a.durationMs,
    started_at: a.startedAt,
  };
}
