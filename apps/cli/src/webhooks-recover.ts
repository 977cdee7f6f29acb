import type { Env } from '@app/config';
import { recoveryWindowProblems, WebhookRecoveries } from '@app/delivery';
import { parseOptions, UsageError } from './cli-args';
import { note, withDataSource } from './cli-database';

export const RECOVER_USAGE = `usage: signalgate-cli webhooks recover <webhook-id> --since <timestamp> [--until <timestamp>]

  <webhook-id>         the webhook whose failed deliveries go back in the queue
  --since TIMESTAMP    deliveries that failed at or after this instant (ISO 8601, e.g. 2026-12-01T09:00:00Z)
  --until TIMESTAMP    up to this instant, exclusive (default: now)

Starts a recovery (or returns the one already open for the same window) and prints it as JSON on stdout; the
delivery workers (the API's, or \`cli worker\`) requeue in the background. Progress: GET
/api/v1/webhooks/<webhook-id>/recoveries/<id>. Exit 0 when started or already open, 1 when the webhook is unknown
or disabled.
`;

export interface RecoverOptions {
  webhookId: string;
  since: Date;
  until?: Date;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The API's timestamp shape (YYYY-MM-DD[THH:MM[:SS[.fff]][Z|±HH:MM]]), with a real calendar date.
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function timestamp(name: string, value: string): Date {
  const d = new Date(value);
  const m = TIMESTAMP_RE.exec(value);
  const day = m && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const realDate = !!day && day.getUTCFullYear() === Number(m[1]) && day.getUTCMonth() === Number(m[2]) - 1 && day.getUTCDate() === Number(m[3]);
  if (!realDate || Number.isNaN(d.getTime())) throw new UsageError(`--${name} must be an ISO 8601 date or date-time`);
  return d;
}

/** `webhooks recover` arguments: the webhook id first, then the options; throws UsageError or HelpRequested. */
export function parseRecoverArgs(args: string[]): RecoverOptions {
  const [first, ...rest] = args;
  const positional = first !== undefined && !first.startsWith('-');
  const values = parseOptions(positional ? rest : args, { since: { type: 'string' }, until: { type: 'string' } });
  if (!positional) throw new UsageError('the webhook id is required');
  if (!UUID_RE.test(first)) throw new UsageError('the webhook id must be a UUID');
  if (!values.since) throw new UsageError('--since is required');
  const since = timestamp('since', values.since);
  const until = values.until === undefined ? undefined : timestamp('until', values.until);
  const problems = recoveryWindowProblems(since, until, new Date());
  const [field] = Object.keys(problems);
  if (field) throw new UsageError(`--${field} ${problems[field]}`);
  return { webhookId: first, since, until };
}

/** `cli webhooks recover`: starts a recovery through the same statements as the API. */
export async function webhooksRecover(env: Env, opts: RecoverOptions): Promise<number> {
  return withDataSource(env, async (ds) => {
    const recoveries = new WebhookRecoveries(<T>(sql: string, params: unknown[]) => ds.query<T[]>(sql, params));
    const result = await recoveries.start(opts.webhookId, opts.since, opts.until);
    if (!('recovery' in result)) {
      note(result.outcome === 'webhook_not_found' ? `webhook ${opts.webhookId} not found` : 'webhook is disabled; enable it (PATCH is_active=true) first');
      return 1;
    }
    note(
      result.outcome === 'created'
        ? `recovery ${result.recovery.id} started`
        : `recovery ${result.recovery.id} is already ${result.recovery.status} for this window`,
    );
    process.stdout.write(`${JSON.stringify(result.recovery)}\n`);
    return 0;
  });
}
