import type { RecoveryStatus } from './webhook-recovery.entity';

/** Runs one statement and returns its rows: TypeORM's `DataSource.query` (API, CLI) or a pg pool, adapted. */
export type SqlRows = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** What the API and the CLI show of a recovery. */
export interface RecoveryView {
  id: string;
  webhook_id: string;
  since: string;
  /** Where the window ends: as requested, or when the recovery was created if later (or not given). */
  until: string;
  status: RecoveryStatus;
  requeued: number;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export type StartRecoveryResult = { outcome: 'created' | 'existing'; recovery: RecoveryView } | { outcome: 'webhook_not_found' | 'webhook_disabled' };

/** Per-field problems with a requested window, or none. `until` undefined means "until now". */
export function recoveryWindowProblems(since: Date, until: Date | undefined, now: Date): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!(since.getTime() < now.getTime())) problems.since = 'must be in the past';
  if (until && !(until.getTime() > since.getTime())) problems.until = 'must be after since';
  return problems;
}

const VIEW = `id, webhook_id, since, least(until, created_at) AS until, status, requeued, created_at, updated_at, completed_at`;

interface ViewRow extends Omit<RecoveryView, 'since' | 'until' | 'created_at' | 'updated_at' | 'completed_at'> {
  since: Date;
  until: Date;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

function toView(r: ViewRow): RecoveryView {
  const iso = (d: Date) => new Date(d).toISOString();
  return {
    id: r.id,
    webhook_id: r.webhook_id,
    since: iso(r.since),
    until: iso(r.until),
    status: r.status,
    requeued: Number(r.requeued),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    completed_at: r.completed_at ? iso(r.completed_at) : null,
  };
}

/**
 * Starting and reading recoveries, shared by the API and `cli webhooks recover` (the CLI never imports the API).
 * Raw SQL: the start is an insert that must meet the partial unique index race-free (ON CONFLICT ... DO NOTHING),
 * which TypeORM's query builder cannot target by predicate.
 */
export class WebhookRecoveries {
  constructor(private readonly rows: SqlRows) {}

  /**
   * Starts a recovery of the webhook's deliveries that failed in [since, until); while one for the same window is
   * pending or running, returns that one instead. The background worker does the requeueing.
   */
  async start(webhookId: string, since: Date, until: Date | undefined): Promise<StartRecoveryResult> {
    const untilParam = until ? until.toISOString() : 'infinity';
    // Bounded: a conflicting open row that completes between our insert and our read is gone; the next insert wins.
    for (let i = 0; i < 3; i += 1) {
      const [row] = await this.rows<ViewRow & { active: boolean | null; created: boolean }>(
        `WITH w AS (SELECT id, is_active FROM webhooks WHERE id = $1),
         ins AS (
           INSERT INTO webhook_recoveries (webhook_id, since, until)
           SELECT w.id, $2, $3 FROM w WHERE w.is_active
           ON CONFLICT (webhook_id, since, until) WHERE status IN ('pending', 'running') DO NOTHING
           RETURNING ${VIEW}
         ), existing AS (
           SELECT ${VIEW} FROM webhook_recoveries
           WHERE webhook_id = $1 AND since = $2 AND until = $3 AND status IN ('pending', 'running')
         )
         SELECT (SELECT is_active FROM w) AS active, x.* FROM (SELECT 1) one
         LEFT JOIN LATERAL (SELECT true AS created, * FROM ins UNION ALL SELECT false, * FROM existing LIMIT 1) x ON true`,
        [webhookId, since.toISOString(), untilParam],
      );
      if (row?.active === null || row?.active === undefined) return { outcome: 'webhook_not_found' };
      if (!row.active) return { outcome: 'webhook_disabled' };
      if (row.id) return { outcome: row.created ? 'created' : 'existing', recovery: toView(row) };
    }
    throw new Error('could not start or find the recovery (contended)');
  }

  /** One recovery of one webhook, or undefined. */
  async get(webhookId: string, id: string): Promise<RecoveryView | undefined> {
    const [row] = await this.rows<ViewRow>(`SELECT ${VIEW} FROM webhook_recoveries WHERE id = $1 AND webhook_id = $2`, [id, webhookId]);
    return row ? toView(row) : undefined;
  }
}
