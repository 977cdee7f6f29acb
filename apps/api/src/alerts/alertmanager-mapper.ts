import type { RoutableAlert } from '@app/routing';
import type { AlertInput } from './alert.view';
import { deriveFingerprint, severityFromLabel } from './alert-fingerprint';
import type { AlertmanagerPayloadDto } from './dto/alertmanager-payload.dto';

/** One alert of an Alertmanager payload, as a change to apply: fire (create or refresh) or resolve. */
export type AlertmanagerChange =
  { status: 'firing'; alert: AlertInput } | { status: 'resolved'; fingerprint: string; endsAt: string | null; labels: Record<string, string> };

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
    if (a.status === 'resolved') return { status: 'resolved', fingerprint, endsAt: validTime(a.endsAt), labels };
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

/** A fingerprint's consecutive firing entries as one upsert: the last entry's content, the first one's start, `count` occurrences. */
export interface FiringBatchItem {
  alert: AlertInput;
  count: number;
}

/** A fingerprint's consecutive resolved entries as one resolve: the first one resolves (at its endsAt), the rest find nothing firing. */
export interface ResolvedBatchItem {
  fingerprint: string;
  endsAt: string | null;
  count: number;
  /** The first entry's labels: what the fan-out bound matches webhooks' matchers against. */
  labels: Record<string, string>;
}

/** Changes that can be written together: each fingerprint appears at most once in a round. */
export interface AlertmanagerRound {
  firing: FiringBatchItem[];
  resolved: ResolvedBatchItem[];
}

/**
 * Groups the changes into batches that give the same result as applying them one by one, in order. Per fingerprint,
 * a run of consecutive entries with the same status collapses into one item (a multi-row upsert may not touch a row
 * twice); the n-th run of every fingerprint goes into round n, so a round never names a fingerprint twice and its
 * firing and resolved batches are independent. Alertmanager sends each alert once per payload: one round.
 * Collapsing a firing run means its `alert.created` event (if it is new) carries the row as stored after the whole
 * run: the last entry's title, severity, description, labels and annotations, the first entry's start, `count` occurrences.
 */
export function planAlertmanagerRounds(changes: AlertmanagerChange[]): AlertmanagerRound[] {
  type Run = { status: 'firing'; item: FiringBatchItem } | { status: 'resolved'; item: ResolvedBatchItem };
  const runs = new Map<string, Run[]>();
  for (const change of changes) {
    const fingerprint = change.status === 'firing' ? change.alert.fingerprint : change.fingerprint;
    const own = runs.get(fingerprint) ?? [];
    runs.set(fingerprint, own);
    const last = own.at(-1);
    if (change.status === 'firing') {
      if (last?.status === 'firing') last.item = { alert: { ...change.alert, startsAt: last.item.alert.startsAt }, count: last.item.count + 1 };
      else own.push({ status: 'firing', item: { alert: change.alert, count: 1 } });
    } else if (last?.status === 'resolved') {
      last.item.count += 1;
    } else {
      own.push({ status: 'resolved', item: { fingerprint, endsAt: change.endsAt, count: 1, labels: change.labels } });
    }
  }
  const rounds: AlertmanagerRound[] = [];
  for (const own of runs.values()) {
    own.forEach((run, i) => {
      const round = (rounds[i] ??= { firing: [], resolved: [] });
      if (run.status === 'firing') round.firing.push(run.item);
      else round.resolved.push(run.item);
    });
  }
  return rounds;
}

/**
 * Each event the rounds may fan out, for counting the deliveries before writing (`AlertsRepository.countFanOut`).
 * Only round 1 depends on the database (`first`): its firing items create an alert only where none is firing, its
 * resolved items resolve only one that is; from round 2 on, a firing run follows a resolve (so it creates) and a
 * resolved run follows a firing run (so it resolves an alert of that run's severity).
 */
export interface FanOutEvent {
  fingerprint: string;
  event: 'alert.created' | 'alert.resolved';
  /** Null: the firing alert's own (round 1 resolves). */
  severity: string | null;
  first: boolean;
  /**
   * What webhooks' matchers are tested on: the payload's labels (a resolve's too: they derive its fingerprint, so they
   * are the stored alert's), severity from its label as intake maps it, source `alertmanager`.
   */
  alert: RoutableAlert;
}

export function fanOutEvents(rounds: AlertmanagerRound[]): FanOutEvent[] {
  const severities = new Map<string, string>();
  const events: FanOutEvent[] = [];
  rounds.forEach((round, i) => {
    for (const { alert } of round.firing) {
      severities.set(alert.fingerprint, alert.severity);
      events.push({ fingerprint: alert.fingerprint, event: 'alert.created', severity: alert.severity, first: i === 0, alert });
    }
    for (const { fingerprint, labels } of round.resolved) {
      const severity = i === 0 ? null : (severities.get(fingerprint) ?? null);
      const alert = { labels, severity: severity ?? severityFromLabel(labels.severity), source: 'alertmanager' };
      events.push({ fingerprint, event: 'alert.resolved', severity, first: i === 0, alert });
    }
  });
  return events;
}
