import type { Severity } from '@app/delivery';
import type { AlertEntity } from './alert.entity';

/**
 * The wire shape of an alert, in responses and in event payloads alike: snake_case, in the table's column order,
 * plus `acknowledged`. Clients and webhook receivers depend on it, so it is written out rather than derived.
 */
export function toAlertView(a: AlertEntity) {
  return {
    id: a.id,
    fingerprint: a.fingerprint,
    title: a.title,
    severity: a.severity as Severity,
    status: a.status as 'firing' | 'resolved',
    source: a.source,
    description: a.description,
    labels: a.labels,
    annotations: a.annotations,
    occurrences: a.occurrences,
    starts_at: a.startsAt,
    resolved_at: a.resolvedAt,
    acknowledged_at: a.acknowledgedAt,
    acknowledged_by: a.acknowledgedBy,
    acknowledgement_note: a.acknowledgementNote,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    acknowledged: a.acknowledgedAt !== null,
  };
}
export type AlertView = ReturnType<typeof toAlertView>;

/**
 * The live dashboard's shape of an alert (snapshot and `alert.*` events): what the page shows, without labels,
 * annotations and description, so an event stays small whatever the alert carries.
 */
export function toAlertSummary(a: AlertView) {
  return {
    id: a.id,
    title: a.title.slice(0, 300),
    severity: a.severity,
    status: a.status,
    source: a.source,
    occurrences: a.occurrences,
    starts_at: a.starts_at,
    created_at: a.created_at,
    updated_at: a.updated_at,
    acknowledged: a.acknowledged,
    acknowledged_by: a.acknowledged_by,
    acknowledged_at: a.acknowledged_at,
    resolved_at: a.resolved_at,
  };
}
export type AlertSummary = ReturnType<typeof toAlertSummary>;

/** What creating (or counting) a firing alert needs, whichever door it came in by. */
export interface AlertInput {
  fingerprint: string;
  title: string;
  severity: Severity;
  source: string | null;
  description: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ISO time; null means now. */
  startsAt: string | null;
}
