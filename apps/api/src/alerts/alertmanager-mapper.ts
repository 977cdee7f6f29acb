import type { AlertInput } from './alert.view';
import { deriveFingerprint, severityFromLabel } from './alert-fingerprint';
import type { AlertmanagerPayloadDto } from './dto/alertmanager-payload.dto';

/** One alert of an Alertmanager payload, as a change to apply: fire (create or refresh) or resolve. */
export type AlertmanagerChange = { status: 'firing'; alert: AlertInput } | { status: 'resolved'; fingerprint: string; endsAt: string | null };

const MAX_TITLE_LENGTH = 500;

/**
 * Alertmanager webhook payload v4 → the changes it asks for, in order. Pure: no I/O, no clock.
 * The fingerprint is ours (from the labels) so an alert sent directly and through Alertmanager dedup together;
 * Alertmanager's own fingerprint is used only when there are no labels.
 */
export function mapAlertmanagerPayload(payload: Pick<AlertmanagerPayloadDto, 'alerts'>): AlertmanagerChange[] {
  return payload.alerts.map((a): AlertmanagerChange => {
    const labels = a.labels ?? {};
    const annotations = a.annotations ?? {};
    const fingerprint = Object.keys(labels).length ? deriveFingerprint({ labels, title: '' }) : (a.fingerprint ?? deriveFingerprint({ title: 'alertmanager' }));
    if (a.status === 'resolved') return { status: 'resolved', fingerprint, endsAt: validTime(a.endsAt) };
    return {
      status: 'firing',
      alert: {
        fingerprint,
        title: (annotations.summary ?? labels.alertname ?? 'Alertmanager alert').slice(0, MAX_TITLE_LENGTH),
        severity: severityFromLabel(labels.severity),
        source: 'alertmanager',
        description: annotations.description ?? null,
        labels,
        annotations,
        startsAt: validTime(a.startsAt),
      },
    };
  });
}

/** Alertmanager sends `0001-01-01T00:00:00Z` for "not set"; that and anything unparsable mean "now". */
function validTime(value: string | undefined): string | null {
  if (!value || value.startsWith('0001-')) return null;
  return Number.isNaN(Date.parse(value)) ? null : value;
}
