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
