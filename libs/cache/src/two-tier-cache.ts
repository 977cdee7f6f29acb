import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { withDeadline } from '@app/redis';
import { type BusListener, type BusMessage, InvalidationBus } from './invalidation-bus';
import { RedisL2 } from './redis-l2';

/*
 * Why hand-written: bentocache (L1 + L2 + bus) and cache-manager 7/keyv are ESM-only, and the e2e suites boot the
 * app in-process under Jest + ts-jest (CommonJS), which cannot load them. This is the small part we need: an
 * lru-cache L1, an optional Redis L2 on the shared bounded ioredis client, an invalidation bus over Redis pub/sub on
 * a dedicated connection, and single-flight loads per key.
 */

export interface CacheSettings {
  enabled: boolean;
  l1MaxItems: number;
  l1TtlMs: number;
  l2TtlMs: number;
  graceMs: number;
  /**
   * Separates the L2 keys and the bus channel of deployments (or test databases) sharing one Redis: derived from
   * the database's identity, so exactly the processes reading the same data share entries. Absent: given later by
   * `scopeTo` (once the database has said what it is); until then, with Redis configured, nothing is cached.
   */
  scope?: string;
}

export interface CacheObserver {
  hit(layer: 'l1' | 'l2'): void;
  miss(layer: 'l1' | 'l2'): void;
  bus(direction: 'published' | 'received'): void;
}

export type LayerStatus = 'available' | 'unavailable' | 'disabled';

/** While the bus is down, an L1 entry lives at most this long (a missed invalidation stays stale no longer). */
export const DEGRADED_L1_TTL_MS = 5000;
/** How long a write's invalidation waits for the scope (read in the connect round trip) before deferring it. */
const SCOPE_WAIT_MS = 1000;
/** The largest value L1 keeps (serialized bytes); bigger values are served but not cached. */
export const L1_MAX_ENTRY_BYTES = 1024 * 1024;

interface Entry {
  value: unknown;
  /** Fresh until then; after it, servable only as a grace fallback. */
  freshUntil: number;
}

export interface Dropped {
  l1: number;
  l2: number;
}

/**
 * Read path L1 → L2 → loader. Keys are `namespace` + `key`. Every write that changes a cached read calls
 * `invalidate` after commit and before answering: L1 here, L2, then a bus message that drops the other processes'
 * L1 entries. Redis down: L2 and the bus fail fast (bounded), L1 keeps serving with a short TTL, and L1 is flushed
 * when the bus comes back (invalidations it missed are thereby applied).
 */
export class TwoTierCache {
  readonly instanceId = randomUUID();
  private readonly logger = new Logger('Cache');
  private readonly l1: LRUCache<string, Entry>;
  private l2: RedisL2 | null = null;
  private bus: InvalidationBus | null = null;
  /** Resolves once L2 and the bus have their scope (at once without Redis). */
  private readonly scoped: Promise<void>;
  private scopedResolve!: () => void;
  /** An invalidation came before the scope and could not wait for it: the scope's L2 is dropped once it is known. */
  private missedBeforeScope = false;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** Bumped by every invalidation touching a key; a load started before it does not store its (maybe stale) value. */
  private epoch = 0;
  private readonly keyEpochs = new Map<string, number>();
  private readonly namespaceEpochs = new Map<string, number>();
  private globalEpoch = 0;
  private busStarted = false;
  private stopped = false;
  private readonly tally = { l1Hits: 0, l1Misses: 0, l2Hits: 0, l2Misses: 0, loads: 0, published: 0, received: 0, failures: 0 };

  constructor(
    readonly settings: CacheSettings,
    private readonly redis: Redis | null,
    private readonly observer?: CacheObserver,
  ) {
    this.l1 = new LRUCache<string, Entry>({
      max: settings.l1MaxItems,
      ttl: settings.l1TtlMs + settings.graceMs,
      maxEntrySize: L1_MAX_ENTRY_BYTES,
      sizeCalculation: (entry, key) => Math.max(1, key.length + approximateSize(entry.value)),
    });
    this.scoped = new Promise((ok) => (this.scopedResolve = ok));
    if (!redis) this.scopedResolve();
    else if (settings.scope !== undefined) this.scopeTo(settings.scope);
  }

  /** True once the shared layers know their scope (always without Redis). */
  get isScoped(): boolean {
    return !this.redis || this.l2 !== null;
  }

  /** Gives L2 and the bus their scope, once; subscribes the bus if it was asked to start meanwhile. */
  scopeTo(scope: string): void {
    if (!this.redis || this.l2) return;
    this.l2 = new RedisL2(this.redis, scope, this.settings.l2TtlMs);
    this.bus = new InvalidationBus(this.redis, scope, this.busListener());
    this.scopedResolve();
    if (this.missedBeforeScope) this.l2.dirty = true;
    if (this.busStarted) this.bus.start();
  }

  /** Hits, misses and errors per layer since start (the stats route and tests read them). */
  get counts() {
    const { failures, ...rest } = this.tally;
    return { ...rest, l2Errors: (this.l2?.errors ?? 0) + failures };
  }

  get l2Status(): LayerStatus {
    if (!this.redis) return 'disabled';
    return this.l2 && this.redis.status === 'ready' ? 'available' : 'unavailable';
  }

  get busStatus(): LayerStatus {
    if (!this.redis) return 'disabled';
    return this.bus?.available ? 'available' : 'unavailable';
  }

  get l1Items(): number {
    return this.l1.size;
  }

  get l1Bytes(): number {
    return this.l1.calculatedSize;
  }

  /** Subscribes the invalidation bus (once scoped). Never throws, whether Redis is up or not at boot. */
  startBus(): void {
    if (!this.redis || !this.settings.enabled || this.busStarted) return;
    this.busStarted = true;
    this.redis.on('ready', () => {
      if (this.l2?.dirty) void this.cleanL2();
    });
    this.bus?.start();
  }

  private busListener(): BusListener {
    return {
      message: (message) => {
        this.tally.received += 1;
        this.observer?.bus('received');
        if (message.origin !== this.instanceId) this.dropL1(message.namespace, message.key);
      },
      up: (afterOutage) => {
        if (afterOutage) {
          // Invalidations published while we were away are lost: drop everything instead.
          this.dropL1();
          this.logger.log('cache bus back; L1 flushed');
        }
        if (this.l2?.dirty) void this.cleanL2();
      },
      down: (why, wasUp) => {
        if (wasUp) this.logger.warn(`cache bus ${why}; L1 entries now live at most ${DEGRADED_L1_TTL_MS / 1000} s`);
      },
    };
  }

  stop(): void {
    this.stopped = true;
    this.bus?.stop();
  }

  /** The cached value of namespace/key, or the loader's (stored in L1 and L2). Loads are single-flight per key. */
  async getOrLoad<T>(namespace: string, key: string, load: () => Promise<T>, ttlMs?: number): Promise<T> {
    // Before the scope is known, an entry could miss other processes' invalidations: read through. (Until the bus
    // has subscribed, an entry lives DEGRADED_L1_TTL_MS at most, as in an outage.)
    if (!this.settings.enabled || !this.isScoped) return load();
    const id = `${namespace}:${key}`;
    const now = Date.now();
    const entry = this.l1.get(id);
    if (entry && entry.freshUntil > now) {
      this.count('l1', true);
      return entry.value as T;
    }
    this.count('l1', false);
    const running = this.inFlight.get(id);
    if (running) return running as Promise<T>;
    const promise = this.fill(namespace, id, load, ttlMs, entry).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, promise);
    return promise as Promise<T>;
  }

  private async fill<T>(namespace: string, id: string, load: () => Promise<T>, ttlMs: number | undefined, stale: Entry | undefined): Promise<T> {
    const startedAt = this.epochOf(id);
    const l1Ttl = Math.min(ttlMs ?? this.settings.l1TtlMs, this.busStatus === 'unavailable' ? DEGRADED_L1_TTL_MS : Infinity);
    const fromL2 = await this.l2?.get(id);
    if (fromL2 !== undefined) {
      this.count('l2', true);
      if (this.epochOf(id) === startedAt) this.setL1(id, fromL2, l1Ttl);
      return fromL2 as T;
    }
    if (this.l2) this.count('l2', false);
    this.tally.loads += 1;
    let value: T;
    try {
      value = await load();
    } catch (e) {
      // Grace: a stale entry still inside its grace period answers when reloading fails.
      if (stale && stale.freshUntil + this.settings.graceMs > Date.now()) return stale.value as T;
      throw e;
    }
    if (this.epochOf(id) === startedAt && !this.stopped) {
      this.setL1(id, value, l1Ttl);
      await this.l2?.set(namespace, id, value, Math.min(ttlMs ?? this.settings.l2TtlMs, this.settings.l2TtlMs));
    }
    return value;
  }

  /**
   * Drops namespace/key (or the whole namespace, or everything) here and in L2, then tells the other processes.
   * Bounded: with Redis down it returns after at most a couple of L2_DEADLINE_MS, having dropped L1.
   */
  async invalidate(namespace?: string, key?: string): Promise<Dropped> {
    const l1 = this.dropL1(namespace, key);
    if (!this.settings.enabled || !this.redis) return { l1, l2: 0 };
    if (!this.l2) await this.scopedWithin(SCOPE_WAIT_MS);
    if (!this.l2) {
      // The database answered this write but has not yet said what it is: drop the whole scope once it has.
      this.missedBeforeScope = true;
      return { l1, l2: 0 };
    }
    // The drop and the bus message go out together on the one shared connection, and Redis runs a connection's
    // commands in order: no process hears of the invalidation before L2 has dropped the entries, in one round trip.
    const [l2] = await Promise.all([this.l2.drop(namespace, key), this.publish({ origin: this.instanceId, namespace, key })]);
    return { l1, l2 };
  }

  /** Waits for the scope at most `ms` (`scoped` never rejects: only the deadline is caught), then goes on either way. */
  private async scopedWithin(ms: number): Promise<void> {
    await withDeadline(this.scoped, ms, 'cache scope').catch(() => undefined);
  }

  /** Writes made while Redis was away could not drop their L2 entries: drop this scope's L2 and tell everyone. */
  private async cleanL2(): Promise<void> {
    // Both connections must be back; the other connection's `ready` comes back here.
    if (!this.l2?.ready || !this.bus?.available) return;
    this.l2.dirty = false;
    const dropped = await this.l2.drop();
    if (this.l2.dirty) return; // failed again: the next reconnect retries
    await this.publish({ origin: this.instanceId });
    this.logger.log(`cache L2 cleared after an outage (${dropped} entries)`);
  }

  private async publish(message: BusMessage): Promise<void> {
    if (!this.bus || !this.l2 || !this.l2.ready) return;
    if (await this.bus.publish(message)) {
      this.tally.published += 1;
      this.observer?.bus('published');
    } else {
      // Other processes missed this invalidation: L2 is cleared (and everyone told) once Redis answers again.
      this.tally.failures += 1;
      this.l2.dirty = true;
    }
  }

  private dropL1(namespace?: string, key?: string): number {
    this.epoch += 1;
    if (namespace === undefined) {
      const n = this.l1.size;
      this.l1.clear();
      // Every key's epoch moves: loads in flight must not store.
      for (const id of this.inFlight.keys()) this.keyEpochs.set(id, this.epoch);
      this.globalEpoch = this.epoch;
      return n;
    }
    if (key !== undefined) {
      const id = `${namespace}:${key}`;
      this.keyEpochs.set(id, this.epoch);
      this.trimEpochs();
      return this.l1.delete(id) ? 1 : 0;
    }
    const prefix = `${namespace}:`;
    this.namespaceEpochs.set(namespace, this.epoch);
    let n = 0;
    for (const id of [...this.l1.keys()]) if (id.startsWith(prefix) && this.l1.delete(id)) n += 1;
    return n;
  }

  private epochOf(id: string): number {
    const ns = id.slice(0, id.indexOf(':'));
    return Math.max(this.globalEpoch, this.namespaceEpochs.get(ns) ?? 0, this.keyEpochs.get(id) ?? 0);
  }

  /** Key epochs matter only while a load of that key may be running; keep the map bounded. */
  private trimEpochs(): void {
    if (this.keyEpochs.size <= 10000) return;
    for (const id of this.keyEpochs.keys()) if (!this.inFlight.has(id)) this.keyEpochs.delete(id);
  }

  private setL1(id: string, value: unknown, ttlMs: number): void {
    this.l1.set(id, { value, freshUntil: Date.now() + ttlMs }, { ttl: ttlMs + this.settings.graceMs });
  }

  private count(layer: 'l1' | 'l2', hit: boolean): void {
    if (layer === 'l1') this.tally[hit ? 'l1Hits' : 'l1Misses'] += 1;
    else this.tally[hit ? 'l2Hits' : 'l2Misses'] += 1;
    if (hit) this.observer?.hit(layer);
    else this.observer?.miss(layer);
  }
}

/** Serialized size in bytes (UTF-8 close enough for accounting); values that cannot be serialized count 1. */
export function approximateSize(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  } catch {
    return 1;
  }
}
