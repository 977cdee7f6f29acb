import { Test } from '@nestjs/testing';
import { ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { DatabaseConnector } from '@app/database';
import { MetricsService } from '@app/observability';
import { REDIS_CLIENT } from '@app/redis';
import { DrainState } from './drain-state.service';
import { HealthMetrics } from './health-metrics';
import { DatabaseIndicator } from './indicators/database.indicator';
import { RedisIndicator } from './indicators/redis.indicator';
import { ReadinessService } from './readiness.service';
import { letTimePass, waitFor } from '../../../test/support/wait-for';

/** Real indicators and Terminus; the DataSource and Redis client are wrapped to count round trips. */
async function build(opts: { dbDelayMs?: number; applied?: string[]; redis?: 'ok' | 'hung' | null; strict?: boolean; connectorThrows?: boolean } = {}) {
  const queries: string[] = [];
  const shipped = [{ name: 'Init1732300000000' }];
  const ds = {
    isInitialized: true,
    migrations: shipped,
    query: jest.fn(async (sql: string) => {
      queries.push(sql);
      await new Promise((r) => setTimeout(r, opts.dbDelayMs ?? 5));
      if (sql.includes('to_regclass')) return [{ present: true }];
      if (sql.includes('SELECT name')) return (opts.applied ?? ['Init1732300000000']).map((name) => ({ name }));
      return [{ '?column?': 1 }];
    }),
  };
  const pings = { count: 0 };
  const client =
    opts.redis === null
      ? null
      : {
          status: 'ready',
          ping: jest.fn(() => {
            pings.count += 1;
            return opts.redis === 'hung' ? new Promise(() => undefined) : Promise.resolve('PONG');
          }),
        };
  const values: Record<string, unknown> = {
    READINESS_TIMEOUT_MS: 200,
    REDIS_COMMAND_TIMEOUT_MS: 2000,
    STRICT: opts.strict ?? true,
  };
  const moduleRef = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false })],
    providers: [
      ReadinessService,
      DatabaseIndicator,
      RedisIndicator,
      DrainState,
      HealthMetrics,
      MetricsService,
      { provide: DataSource, useValue: ds },
      {
        provide: DatabaseConnector,
        useValue: opts.connectorThrows
          ? {
              get isConnected(): boolean {
                throw new TypeError('connector exploded');
              },
            }
          : { isConnected: true, lastError: undefined },
      },
      { provide: REDIS_CLIENT, useValue: client },
      { provide: ConfigService, useValue: { get: (k: string) => values[k] } },
    ],
  }).compile();
  return { readiness: moduleRef.get(ReadinessService), queries, pings, metrics: moduleRef.get(MetricsService) };
}

describe('ReadinessService', () => {
  it('single flight: 50 concurrent probes cost one run and one round trip per query', async () => {
    const { readiness, queries, pings } = await build({ dbDelayMs: 20 });
    const runs = await Promise.all(Array.from({ length: 50 }, () => readiness.current()));
    expect(runs.every((r) => r.ok)).toBe(true);
    expect(readiness.runs).toBe(1);
    // SELECT 1, and the two reads of the migrations check.
    expect(queries).toHaveLength(3);
    expect(pings.count).toBe(1);
  });

  it('reuses a finished run only briefly, then probes again', async () => {
    const { readiness, queries } = await build({ dbDelayMs: 1 });
    await readiness.current();
    await readiness.current();
    expect(readiness.runs).toBe(1);
    // Reuse window: min(100, 200/10) = 20 ms; the next probe comes once the last run is older than that.
    const finishedAt = readiness.lastRun!.finishedAt;
    await waitFor(() => performance.now() - finishedAt >= 20, { timeoutMs: 2000, intervalMs: 5, what: 'the reuse window to pass' });
    await readiness.current();
    expect(readiness.runs).toBe(2);
    expect(queries).toHaveLength(6);
  });

  it('does not reuse a failing run: the next probe checks again (recovery shows at once)', async () => {
    const { readiness } = await build({ applied: [] });
    await readiness.current();
    await readiness.current();
    expect(readiness.runs).toBe(2);
  });

  it('a hung Redis: the run answers within the deadline and repeated runs do not pile up PINGs', async () => {
    const { readiness, pings } = await build({ redis: 'hung' });
    for (let i = 0; i < 4; i += 1) {
      const t0 = performance.now();
      const run = await readiness.current();
      expect(performance.now() - t0).toBeLessThan(200 + 150);
      expect(run.ok).toBe(false);
      expect(run.checks.redis).toMatchObject({ ok: false, detail: 'unreachable', error: 'timed out after 200 ms' });
      expect(run.checks.db.ok).toBe(true);
      await letTimePass(25, 'probes spaced out while Redis stays hung');
    }
    expect(readiness.runs).toBe(4);
    expect(pings.count).toBe(1);
  });

  it('an indicator that throws fails its check (503), never the probe (500)', async () => {
    const { readiness } = await build({ connectorThrows: true });
    const run = await readiness.current();
    expect(run.ok).toBe(false);
    expect(run.checks.db).toMatchObject({ ok: false, detail: 'unreachable', error: 'check failed: connector exploded' });
    expect(run.checks.migrations).toMatchObject({ ok: false, detail: 'unreachable' });
    expect(run.checks.redis.ok).toBe(true);
  });

  it('pending migrations fail readiness with detail pending and the count', async () => {
    const { readiness } = await build({ applied: [] });
    const run = await readiness.current();
    expect(run.ok).toBe(false);
    expect(run.checks.migrations).toMatchObject({ ok: false, detail: 'pending', pending: 1, current: null });
  });

  it('no Redis client: disabled, ok outside strict mode only', async () => {
    const lax = await build({ redis: null, strict: false });
    expect((await lax.readiness.current()).checks.redis).toEqual({ ok: true, detail: 'disabled', latency_ms: 0 });
    const strict = await build({ redis: null, strict: true });
    expect((await strict.readiness.current()).checks.redis).toMatchObject({ ok: false, detail: 'disabled' });
  });

  it('feeds the per-check gauges and the duration histogram', async () => {
    const { readiness, metrics } = await build({ applied: [] });
    await readiness.current();
    const text = await metrics.exposition();
    expect(text).toContain('signalgate_health_check_up{check="db"} 1');
    expect(text).toContain('signalgate_health_check_up{check="migrations"} 0');
    expect(text).toMatch(/signalgate_health_check_duration_seconds_count\{check="redis"\} [1-9]/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
