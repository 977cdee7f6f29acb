import { Client } from 'pg';
import { type Env, maskText } from '@app/config';
import { resolveDatabaseUrl } from '@app/database';
import { RetentionStore, retentionCutoffs, retentionSettings, runRetentionPass } from '@app/delivery';
import { parseOptions } from './cli-args';
import { note } from './cli-database';

export const PRUNE_USAGE = `usage: signalgate-cli prune [--dry-run]

  Runs one retention pass now (docs/RETENTION.md): succeeded deliveries older than DELIVERY_RETENTION_DAYS,
  failed ones older than DELIVERY_FAILED_RETENTION_DAYS (with their attempts), resolved alerts older than
  ALERT_RETENTION_DAYS, in batches of RETENTION_BATCH_SIZE, under the retention advisory lock.

  --dry-run   print the cutoffs and how many rows of each kind would go; delete nothing
`;

/** Bound of the dry run's count statement. */
export const DRY_RUN_TIMEOUT_MS = 600_000;

const out = (line: string) => process.stdout.write(`${line}\n`);

export function parsePruneArgs(args: string[]): { dryRun: boolean } {
  return { dryRun: parseOptions(args, { 'dry-run': { type: 'boolean' } })['dry-run'] === true };
}

/** `prune [--dry-run]`: one pass on one connection (it holds the session advisory lock), or the counts only. */
export async function prune(env: Env, opts: { dryRun: boolean }): Promise<number> {
  const settings = retentionSettings(env);
  const cutoffs = retentionCutoffs(settings, new Date());
  const db = await resolveDatabaseUrl(env, note);
  const client = new Client({
    connectionString: db.url,
    application_name: `${env.DB_APPLICATION_NAME}-prune`,
    connectionTimeoutMillis: env.DB_CONNECT_TIMEOUT_MS,
    statement_timeout: env.DB_STATEMENT_TIMEOUT_MS || undefined,
    query_timeout: DRY_RUN_TIMEOUT_MS + 5000,
  });
  try {
    await client.connect();
    const store = new RetentionStore(client);
    out(`cutoffs: succeeded deliveries completed before ${cutoffs.succeeded.toISOString()} (${settings.succeededDays} d)`);
    out(`         failed deliveries completed before ${cutoffs.failed.toISOString()} (${settings.failedDays} d)`);
    out(`         resolved alerts resolved before ${cutoffs.alerts.toISOString()} (${settings.alertDays} d)`);
    if (opts.dryRun) {
      // One count over everything due: 28 s for 650 000 due rows on a loaded 2-core machine (bench/retention), so it
      // gets its own, longer bound than DB_STATEMENT_TIMEOUT_MS.
      const due = await store.inTransaction(DRY_RUN_TIMEOUT_MS, () => store.countDue(cutoffs));
      out(`would delete: deliveries_succeeded=${due.succeeded} deliveries_failed=${due.failed} delivery_attempts=${due.attempts} alerts=${due.alerts}`);
      out('dry run: nothing deleted');
      return 0;
    }
    const started = Date.now();
    const o = await runRetentionPass(store, settings, cutoffs);
    if (!o.ran) {
      out('skipped: another process holds the retention lock (a pass is running there); nothing deleted');
      return 0;
    }
    out(
      `deleted: deliveries_succeeded=${o.succeeded} deliveries_failed=${o.failed} delivery_attempts=${o.attempts} alerts=${o.alerts} ` +
        `batches=${o.batches} ms=${Date.now() - started}`,
    );
    return 0;
  } catch (e) {
    note(`prune failed: ${maskText(e instanceof Error ? e.message : String(e))}`);
    return 1;
  } finally {
    // Ending the session releases the advisory lock whatever happened.
    await client.end().catch(() => undefined);
    if (db.embedded?.owned) await db.embedded.stop().catch(() => undefined);
  }
}
