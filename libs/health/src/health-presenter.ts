import type { HealthCheckResult, HealthIndicatorResult } from '@nestjs/terminus';
import {
  DEPENDENCY_NAMES,
  READINESS_CHECKS,
  type CheckDetail,
  type CheckResult,
  type Component,
  type ReadinessBody,
  type ReadinessCheckName,
} from './check-result';

/**
 * The one place where Terminus's results become the standardized JSON of CONTRACT §3
 * (`status`, `checks`, the older flat `dependencies` map, `version`, `time`).
 */

type IndicatorEntry = HealthIndicatorResult[string];

/** One Terminus indicator entry → a standardized check. A missing entry (never expected) counts as failing. */
export function toCheckResult(entry: IndicatorEntry | undefined): CheckResult {
  if (!entry) return { ok: false, detail: 'unreachable', latency_ms: 0, error: 'check did not report' };
  const data = entry as Record<string, unknown>;
  const check: CheckResult = {
    ok: entry.status === 'up',
    detail: (data.detail as CheckDetail | undefined) ?? (entry.status === 'up' ? 'connected' : 'unreachable'),
    latency_ms: typeof data.latency_ms === 'number' ? data.latency_ms : 0,
  };
  if (!check.ok) check.error = typeof data.error === 'string' ? data.error : typeof data.message === 'string' ? data.message : 'failed';
  if ('current' in data) check.current = (data.current as string | null) ?? null;
  if ('pending' in data && typeof data.pending === 'number') check.pending = data.pending;
  return check;
}

/** The readiness checks out of one Terminus run (`details` holds both up and down entries). */
export function readinessChecks(result: HealthCheckResult): Record<ReadinessCheckName, CheckResult> {
  const checks = {} as Record<ReadinessCheckName, CheckResult>;
  for (const name of READINESS_CHECKS) checks[name] = toCheckResult(result.details[name]);
  return checks;
}

/** A check as seed 004's `components` entry: its name, ok/fail and one sentence saying what was found. */
export function toComponent(name: string, check: CheckResult): Component {
  return { name, status: check.ok ? 'ok' : 'fail', message: describeCheck(check) };
}

function describeCheck(c: CheckResult): string {
  switch (c.detail) {
    case 'connected':
      return `connected (${c.latency_ms} ms)`;
    case 'disabled':
      return 'disabled: not configured (REDIS_URL unset outside strict mode)';
    case 'head':
      return `at head${c.current ? ` (${c.current})` : ''}`;
    case 'pending':
      return `${c.pending ?? 'some'} migration(s) pending: run \`cli migrate up\``;
    case 'shutting_down':
      return 'shutting down: not taking traffic';
    default:
      return `unreachable: ${c.error ?? 'failed'}`;
  }
}

export function presentReadiness(checks: Record<ReadinessCheckName, CheckResult>, version: string, now: Date): ReadinessBody {
  const dependencies: Record<string, CheckDetail> = {};
  for (const name of READINESS_CHECKS) dependencies[DEPENDENCY_NAMES[name]] = checks[name].detail;
  return {
    status: READINESS_CHECKS.every((n) => checks[n].ok) ? 'ok' : 'fail',
    checks,
    dependencies,
    components: READINESS_CHECKS.map((n) => toComponent(DEPENDENCY_NAMES[n], checks[n])),
    version,
    time: now.toISOString(),
  };
}

/** While draining: every check reads `shutting_down`; the dependencies are no longer probed. */
export function presentShuttingDown(version: string, now: Date): ReadinessBody {
  const checks = {} as Record<ReadinessCheckName, CheckResult>;
  for (const name of READINESS_CHECKS) checks[name] = { ok: false, detail: 'shutting_down', latency_ms: 0 };
  return { ...presentReadiness(checks, version, now), detail: 'shutting_down' };
}
