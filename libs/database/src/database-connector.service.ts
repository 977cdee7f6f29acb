import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Env, maskText, maskUrl } from '@app/config';
import { type DatabaseIdentity, readConnectFacts } from './database-identity';
import { migrateUp } from './migration-runner';

export const DATABASE_CONTEXT = Symbol('DATABASE_CONTEXT');

export interface DatabaseContext {
  env: Env;
  url: string;
  migrateOnBoot: boolean;
}

/**
 * Connects the DataSource in the background (TypeORM `manualInitialization`), retrying with a capped backoff,
 * so the API boots and answers liveness while PostgreSQL is down; readiness tells the truth meanwhile.
 * (The seeds' services crash-looped in exactly this case.)
 */
@Injectable()
export class DatabaseConnector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private stopped = false;
  private started = false;
  private connectedResolve!: () => void;
  private readonly connected = new Promise<void>((ok) => (this.connectedResolve = ok));
  private identifiedResolve!: (identity: DatabaseIdentity | null) => void;
  private identifiedOnce = false;
  private readonly identified = new Promise<DatabaseIdentity | null>((ok) => (this.identifiedResolve = ok));
  /** Masked text of the last connection or migration failure, for readiness. */
  lastError: string | undefined;
  serverVersion: string | undefined;
  /** Set once the connection is up and, when MIGRATE_ON_BOOT, migrations ran. */
  ready = false;

  constructor(
    private readonly ds: DataSource,
    @Inject(DATABASE_CONTEXT) private readonly ctx: DatabaseContext,
  ) {}

  /**
   * Starts connecting, once. The API's runApi calls it before listen, so that opening the pool overlaps Nest's route
   * registration and the listen (the first 200 on /api/ready waited on it); otherwise it starts at bootstrap.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.connectLoop();
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  /** Resolves once connected (and migrated on boot, when configured). */
  whenReady(): Promise<void> {
    return this.connected;
  }

  /**
   * Resolves at the first connection with what the database is (null when the role may not read it), before
   * migrations: the cache scopes its shared keys by it.
   */
  whenIdentified(): Promise<DatabaseIdentity | null> {
    return this.identified;
  }

  get isConnected(): boolean {
    return this.ds.isInitialized;
  }

  private async connectLoop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        if (!this.ds.isInitialized) await this.ds.initialize();
        if (!this.identifiedOnce) {
          // Also retried when the connection drops between initialize and this read.
          const facts = await readConnectFacts(this.ds);
          this.serverVersion = facts.serverVersion;
          this.identifiedOnce = true;
          this.identifiedResolve(facts.identity);
          this.logger.log(`database connected dsn=${maskUrl(this.ctx.url)} server_version=${this.serverVersion}`);
        }
        if (this.ctx.migrateOnBoot) {
          const applied = await migrateUp(this.ds, {
            timeoutMs: this.ctx.env.MIGRATION_LOCK_TIMEOUT_MS,
            log: (m) => this.logger.log(m),
          });
          this.logger.log(applied.length ? `migrated on boot: ${applied.map((m) => m.name).join(', ')}` : 'migrations at head');
        }
        this.lastError = undefined;
        this.ready = true;
        this.connectedResolve();
        return;
      } catch (e) {
        const message = maskText(e instanceof Error ? e.message : String(e));
        if (message !== this.lastError) {
          this.logger.warn(`database not available dsn=${maskUrl(this.ctx.url)}: ${message}; retrying in the background`);
        }
        this.lastError = message;
        attempt += 1;
        await new Promise((r) => setTimeout(r, Math.min(250 * attempt, 2000)).unref());
      }
    }
  }
}
