import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { boundedQuery, DatabaseConnector, pgPoolOf, readMigrationState, type MigrationState } from '@app/database';
import { SingleInflightCall } from '../single-inflight-call';

const NOT_CONNECTED = 'not connected yet (retrying in the background)';

/**
 * The underlying queries' own bound: a little past the probe deadline, so a connection that stopped answering is
 * dropped and the next probe starts afresh on a new one (recovery within about two deadlines, even when
 * DB_STATEMENT_TIMEOUT_MS is 0 and the pool's queries are otherwise unbounded).
 */
export const probeQueryTimeoutMs = (deadlineMs: number) => Math.max(2 * deadlineMs, 1000);

/** Pool figures of the pg driver (for the deep probe); undefined before the DataSource is initialised. */
export interface PoolUsage {
  max: number;
  total: number;
  idle: number;
  waiting: number;
}

/**
 * PostgreSQL readiness: `SELECT 1` through the TypeORM DataSource, and the migrations comparison. While the
 * DatabaseConnector is still connecting in the background, both report `unreachable` with its masked last error
 * instead of touching the pool.
 */
@Injectable()
export class DatabaseIndicator {
  readonly ping = new SingleInflightCall<unknown>('db');
  readonly migrationState = new SingleInflightCall<MigrationState>('migrations');

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly ds: DataSource,
    private readonly connector: DatabaseConnector,
  ) {}

  async checkConnection(key: string, deadlineMs: number): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    if (!this.connector.isConnected) {
      return session.down({ detail: 'unreachable', latency_ms: 0, error: this.connector.lastError ?? NOT_CONNECTED });
    }
    const conn = boundedQuery(this.ds, probeQueryTimeoutMs(deadlineMs));
    const r = await this.ping.run(() => conn.query('SELECT 1'), deadlineMs);
    if (r.ok) return session.up({ detail: 'connected', latency_ms: r.latencyMs });
    return session.down({ detail: 'unreachable', latency_ms: r.latencyMs, error: r.error });
  }

  /** Compares the applied migrations with the ones this build ships: pending ones fail readiness. */
  async checkMigrations(key: string, deadlineMs: number): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    if (!this.connector.isConnected) {
      return session.down({ detail: 'unreachable', latency_ms: 0, error: this.connector.lastError ?? NOT_CONNECTED, current: null });
    }
    const conn = boundedQuery(this.ds, probeQueryTimeoutMs(deadlineMs));
    const r = await this.migrationState.run(() => readMigrationState(this.ds, conn), deadlineMs);
    if (!r.ok) return session.down({ detail: 'unreachable', latency_ms: r.latencyMs, error: r.error, current: null });
    const state = r.value;
    const data = { latency_ms: r.latencyMs, current: state.current, pending: state.pending.length };
    if (state.atHead) return session.up({ detail: 'head', ...data });
    return session.down({
      detail: 'pending',
      ...data,
      error: `${state.pending.length} pending: ${state.pending.join(', ')} (run \`cli migrate up\`)`,
    });
  }

  get serverVersion(): string | undefined {
    return this.connector.serverVersion;
  }

  poolUsage(): PoolUsage | undefined {
    if (!this.ds.isInitialized) return undefined;
    const pool = pgPoolOf(this.ds);
    if (!pool) return undefined;
    return { max: pool.options?.max ?? 0, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  }
}
