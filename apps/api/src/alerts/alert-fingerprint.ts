import { createHash } from 'node:crypto';

/** The dedup key: given, else a hash of the sorted labels, else of title + source. */
export function deriveFingerprint(input: { fingerprint?: string; labels?: Record<string, string>; title: string; source?: string | null }): string {
  if (input.fingerprint) return input.fingerprint;
  const labels = Object.entries(input.labels ?? {});
  const basis = labels.length
    ? labels
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')
    : `title=${input.title}\nsource=${input.source ?? ''}`;
  return createHash('sha256').update(basis).digest('hex');
}

/** Alertmanager's `severity` label to ours; unknown values become `warning`. */
export function severityFromLabel(value: string | undefined): 'critical' | 'high' | 'warning' | 'info' {
  switch ((value ?? '').toLowerCase()) {
    case 'critical':
    case 'page':
    case 'fatal':
    case 'emergency':
      return 'critical';
    case 'high':
    case 'error':
    case 'major':
      return 'high';
    case 'info':
    case 'informational':
    case 'low':
    case 'none':
      return 'info';
    default:
      return 'warning';
  }
}
