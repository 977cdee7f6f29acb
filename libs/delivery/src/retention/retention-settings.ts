import type { Env } from '@app/config';

const DAY_MS = 86_400_000;

/** The retention rules and the job's bounds, derived once from the validated configuration. */
export interface RetentionSettings {
  /** 0 = the background job is off (`cli prune` still runs a pass). */
  intervalMs: number;
  batchSize: number;
  statementTimeoutMs: number;
  succeededDays: number;
  failedDays: number;
  alertDays: number;
}

export function retentionSettings(env: Pick<Env, RetentionEnvKey>): RetentionSettings {
  return {
    intervalMs: env.RETENTION_INTERVAL_MS,
    batchSize: env.RETENTION_BATCH_SIZE,
    statementTimeoutMs: env.RETENTION_STATEMENT_TIMEOUT_MS,
    succeededDays: env.DELIVERY_RETENTION_DAYS,
    failedDays: env.DELIVERY_FAILED_RETENTION_DAYS,
    alertDays: env.ALERT_RETENTION_DAYS,
  };
}

export type RetentionEnvKey =
  | 'RETENTION_INTERVAL_MS'
  | 'RETENTION_BATCH_SIZE'
  | 'RETENTION_STATEMENT_TIMEOUT_MS'
  | 'DELIVERY_RETENTION_DAYS'
  | 'DELIVERY_FAILED_RETENTION_DAYS'
  | 'ALERT_RETENTION_DAYS';

/** Rows finished before these instants are due. */
export interface RetentionCutoffs {
  succeeded: Date;
  failed: Date;
  alerts: Date;
}

/** Cutoffs for one pass, fixed at its start (a long pass does not chase a moving line). */
export function retentionCutoffs(s: Pick<RetentionSettings, 'succeededDays' | 'failedDays' | 'alertDays'>, now: Date): RetentionCutoffs {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  return { succeeded: before(s.succeededDays), failed: before(s.failedDays), alerts: before(s.alertDays) };
}
