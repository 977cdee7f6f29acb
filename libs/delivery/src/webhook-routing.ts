import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { compileMatchers, type Matcher, parseMatcher, type RoutableAlert, routingLabels } from '@app/routing';

/** Re-reads of a stale table before a fan-out gives up (each needs a matcher write committed in between). */
const MAX_ROUTING_ATTEMPTS = 5;

interface RoutedWebhook {
  id: string;
  test: (labels: Record<string, string>) => boolean;
}

/**
 * Every webhook that has matchers, compiled, as of `generation` (webhook_routing). Webhooks with an equality matcher
 * on a non-empty value are indexed by it (label name → value → webhooks), so an alert is tested only against those
 * whose equality it meets, plus the webhooks without one: a thousand `team="tN"` webhooks cost a lookup, not a scan.
 */
export class RoutingTable {
  private readonly byLabel = new Map<string, Map<string, RoutedWebhook[]>>();
  private readonly unindexed: RoutedWebhook[] = [];
  readonly size: number;

  constructor(
    readonly generation: string,
    webhooks: Array<{ id: string; matchers: Matcher[] }>,
  ) {
    this.size = webhooks.length;
    for (const { id, matchers } of webhooks) {
      const routed = { id, test: compileMatchers(matchers) };
      const key = matchers.find((m) => m.type === '=' && m.value !== '');
      if (!key) {
        this.unindexed.push(routed);
        continue;
      }
      const values = this.byLabel.get(key.name) ?? new Map<string, RoutedWebhook[]>();
      this.byLabel.set(key.name, values);
      values.set(key.value, [...(values.get(key.value) ?? []), routed]);
    }
  }

  /** The webhooks with matchers that this alert satisfies (webhooks without matchers take every alert, in SQL). */
  matched(alert: RoutableAlert): string[] {
    if (this.size === 0) return [];
    const labels = routingLabels(alert);
    const ids: string[] = [];
    for (const w of this.unindexed) if (w.test(labels)) ids.push(w.id);
    for (const [name, values] of this.byLabel) {
      const candidates = Object.hasOwn(labels, name) ? values.get(labels[name]) : undefined;
      if (candidates) for (const w of candidates) if (w.test(labels)) ids.push(w.id);
    }
    return ids;
  }
}

/** A PostgreSQL array literal of uuids, for `$n::text[]` elements cast to uuid[] in SQL. */
export const uuidArrayLiteral = (ids: string[]) => `{${ids.join(',')}}`;

/**
 * Label matchers are evaluated here, with RE2 semantics (re2js), not in SQL: PostgreSQL's regex dialect is not RE2.
 * The compiled table is cached per process and used by the one fan-out statement of each intake batch, which passes
 * the matching (alert, webhook) pairs and the table's generation: the statement writes nothing when the generation in
 * `webhook_routing` differs (a matcher write committed since the table was read, on any replica), and `run` re-reads
 * the table and runs it again. So once a PATCH has answered (its commit bumped the generation), no statement on any
 * replica routes by the old matchers, and none skips a webhook that now matches.
 */
@Injectable()
export class WebhookRouting {
  private table: Promise<RoutingTable> | null = null;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `attempt` with the current table until it reports that the table was fresh (a stale attempt must have written
   * nothing). Bounded: a table that keeps changing under intake is a 503, not a loop.
   */
  async run<T>(attempt: (table: RoutingTable) => Promise<{ fresh: boolean; value: T }>): Promise<T> {
    for (let i = 0; i < MAX_ROUTING_ATTEMPTS; i++) {
      const pending = this.current();
      const { fresh, value } = await attempt(await pending);
      if (fresh) return value;
      // Stale: read it again (unless another caller already replaced it).
      if (this.table === pending) this.table = null;
    }
    throw new ServiceUnavailableException('webhook matchers kept changing during the fan-out; try again');
  }

  current(): Promise<RoutingTable> {
    if (!this.table) {
      const loading = this.load();
      this.table = loading;
      loading.catch(() => {
        if (this.table === loading) this.table = null;
      });
    }
    return this.table;
  }

  /** The generation and the matchers in one statement, so they are one snapshot. */
  private async load(): Promise<RoutingTable> {
    const [row] = (await this.dataSource.query(
      `SELECT (SELECT generation FROM webhook_routing WHERE id = 1)::text AS generation,
              coalesce((SELECT json_agg(json_build_object('id', id, 'matchers', matchers)) FROM webhooks WHERE cardinality(matchers) > 0), '[]') AS webhooks`,
    )) as Array<{ generation: string; webhooks: Array<{ id: string; matchers: string[] }> }>;
    return new RoutingTable(
      row.generation,
      row.webhooks.map((w) => ({ id: w.id, matchers: w.matchers.map(parseMatcher) })),
    );
  }
}

/** SQL: the routing generation `param` is still current (one row) or not (none). */
export const ROUTING_FRESH_SQL = (param: string) => `SELECT 1 FROM webhook_routing WHERE id = 1 AND generation = ${param}::bigint`;
