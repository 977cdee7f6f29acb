import { hash } from 'node:crypto';

/**
 * The dedup key: given, else a hash of the sorted labels (`k=v` lines), else of title + source. Stored with every
 * alert, so the basis text must never change; built by concatenation and hashed one-shot (`crypto.hash`), as each
 * alert of an Alertmanager payload takes this path (bench/intake).
 */
export function deriveFingerprint(input: { fingerprint?: string; labels?: Record<string, string>; title: string; source?: string | null }): string {
  if (input.fingerprint) return input.fingerprint;
  const labels = input.labels ?? {};
  // Default sort: UTF-16 code-unit order, what `a < b` gives; keys are distinct, so no tie to break.
  const keys = Object.keys(labels).sort();
  let basis = '';
  for (let i = 0; i < keys.length; i += 1) basis += `${i ? '\n' : ''}${keys[i]}=${labels[keys[i]]}`;
  if (keys.length === 0) basis = `title=${input.title}\nsource=${input.source ?? ''}`;
  return hash('sha256', basis, 'hex');
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
