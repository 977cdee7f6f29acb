import type { DeliveryAttemptEntity, DeliveryEntity } from '@app/delivery';

/** The API shape of a delivery (without its payload, which only the detail view carries). */
export function toDeliveryView(d: DeliveryEntity) {
  return {
    id: d.id,
    webhook_id: d.webhookId,
    alert_id: d.alertId,
    event_type: d.eventType,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' ? d.nextAttemptAt : null,
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
