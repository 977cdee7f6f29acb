import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { maskText } from '@app/config';

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
   * the database, so only processes reading the same data share entries.
   */
  scope: string;
}

export interface CacheObserver {
  hit(layer: 'l1' | 'l2'): void;
  miss(layer: 'l1' | 'l2'): void;
  bus(direction: 'published' | 'received'): void;
}

export type LayerStatus = 'available' | 'unavailable' | 'disabled';

/** While the bus is down, an L1 entry lives at most this long (a missed invalidation stays stale no longer). */
export const DEGRADED_L1_TTL_MS = 5000;
/** How often the bus connection is PINGed: a Redis that hangs without closing the socket is noticed this fast. */
export const BUS_HEARTBEAT_MS = 1000;
/** Bound on any one L2 or bus command, on top of the client's own command timeout. */
export const L2_DEADLINE_MS = 250;
/** The largest value L1 keeps (serialized bytes); bigger values are served but not cached. */
export const L1_MAX_ENTRY_BYTES = 1024 * 1024;
const BUS_CHANNEL = 'signalgate:cache:invalidate:';
const L2_PREFIX = 'sg:cache:';
const L2_MEMBERS = 'sg:cache-ns:';

interface Entry {
  value: unknown;
  /** Fresh until then; after it, servable only as a grace fallback. */
  freshUntil: number;
}

interface BusMessage {
  origin: string;
  namespace?: string;
  key?: string;
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
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** Bumped by every invalidation touching a key; a load started before it does not store its (maybe stale) value. */
  private epoch = 0;
  private readonly keyEpochs = new Map<string, number>();
  private readonly namespaceEpochs = new Map<string, number>();
  private globalEpoch = 0;
  private subscriber: Redis | null = null;
  private heartbeat?: NodeJS.Timeout;
  private busReady = false;
  private busWasDown = false;
  /** An L2 invalidation failed (Redis away): L2 may hold entries we meant to drop, so it is cleared on reconnect. */
  private l2Dirty = false;
  private stopped = false;
  private readonly channel: string;
  private readonly l2Prefix: string;
  private readonly l2Members: string;
  readonly counts = { l1Hits: 0, l1Misses: 0, l2Hits: 0, l2Misses: 0, l2Errors: 0, loads: 0, published: 0, received: 0 };

  constructor(
    readonly settings: CacheSettings,
    private readonly redis: Redis | null,
    private readonly observer?: CacheObserver,
  ) {
    this.channel = BUS_CHANNEL + settings.scope;
    this.l2Prefix = `${L2_PREFIX}${settings.scope}:`;
    this.l2Members = `${L2_MEMBERS}${settings.scope}:`;
    this.l1 = new LRUCache<string, Entry>({
      max: settings.l1MaxItems,
      ttl: settings.l1TtlMs + settings.graceMs,
      maxEntrySize: L1_MAX_ENTRY_BYTES,
      sizeCalculation: (entry, key) => Math.max(1, key.length + approximateSize(entry.value)),
    });
  }

  get l2Status(): LayerStatus {
    if (!this.redis) return 'disabled';
    return this.redis.status === 'ready' ? 'available' : 'unavailable';
  }

  get busStatus(): LayerStatus {
    if (!this.redis) return 'disabled';
    return this.busReady ? 'available' : 'unavailable';
  }

  get l1Items(): number {
    return this.l1.size;
  }

  get l1Bytes(): number {
    return this.l1.calculatedSize;
  }

  /**
   * Subscribes the bus on its own connection. Never throws, whether Redis is up or not at boot: the subscription is
   * (re)made on every `ready` of that connection, and a failure is logged, not raised.
   */
  startBus(): void {
    if (!this.redis || !this.settings.enabled || this.subscriber) return;
    const sub = this.redis.duplicate({ connectionName: 'signalgate-cache-bus', autoResubscribe: false });
    this.subscriber = sub;
    sub.on('error', () => undefined); // the main client's watcher already logs Redis errors
    this.redis.on('ready', () => {
      if (this.l2Dirty) void this.cleanL2();
    });
    sub.on('ready', () => {
      sub
        .subscribe(this.channel)
        .then(() => {
          this.busReady = true;
          this.busUp();
        })
        .catch((e: unknown) => this.logger.warn(`cache bus subscribe failed: ${maskText(String(e))}`));
    });
    sub.on('close', () => this.busDown('disconnected'));
    // A hung Redis keeps the socket open and sends nothing: only a PING that does not come back tells.
    this.heartbeat = setInterval(() => {
      if (sub.status !== 'ready') return;
      bounded(sub.ping()).then(
        () => {
          if (!this.busReady && this.busWasDown) this.busUp();
        },
        () => this.busDown('not answering'),
      );
    }, BUS_HEARTBEAT_MS);
    this.heartbeat.unref();
    sub.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      this.onBusMessage(text);
    });
  }

  private busUp(): void {
    this.busReady = true;
    if (this.busWasDown) {
      // Invalidations published while we were away are lost: drop everything instead.
      this.dropL1();
      this.logger.log('cache bus back; L1 flushed');
    }
    this.busWasDown = false;
    if (this.l2Dirty) void this.cleanL2();
  }

  private busDown(why: string): void {
    if (this.busReady) this.logger.warn(`cache bus ${why}; L1 entries now live at most ${DEGRADED_L1_TTL_MS / 1000} s`);
    this.busReady = false;
    this.busWasDown = true;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.heartbeat);
    this.subscriber?.disconnect(false);
    this.subscriber = null;
    this.busReady = false;
  }

  /** The cached value of namespace/key, or the loader's (stored in L1 and L2). Loads are single-flight per key. */
  async getOrLoad<T>(namespace: string, key: string, load: () => Promise<T>, ttlMs?: number): Promise<T> {
    if (!this.settings.enabled) return load();
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
    const fromL2 = await this.l2Get(id);
    if (fromL2 !== undefined) {
      this.count('l2', true);
      if (this.epochOf(id) === startedAt) this.setL1(id, fromL2, l1Ttl);
      return fromL2 as T;
    }
    if (this.redis) this.count('l2', false);
    this.counts.loads += 1;
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
      await this.l2Set(namespace, id, value, Math.min(ttlMs ?? this.settings.l2TtlMs, this.settings.l2TtlMs));
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
    if (this.redis.status !== 'ready') this.l2Dirty = true;
    const l2 = await this.dropL2(namespace, key);
    await this.publish({ origin: this.instanceId, namespace, key });
    return { l1, l2 };
  }

  /** Writes made while Redis was away could not drop their L2 entries: drop this scope's L2 and tell everyone. */
  private async cleanL2(): Promise<void> {
    if (this.redis?.status !== 'ready' || !this.busReady) return; // the other connection's `ready` comes back here
    this.l2Dirty = false;
    const l2 = await this.dropL2();
    if (this.l2Dirty) return; // failed again: the next reconnect retries
    await this.publish({ origin: this.instanceId });
    this.logger.log(`cache L2 cleared after an outage (${l2} entries)`);
  }

  private onBusMessage(text: string): void {
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch {
      return;
    }
    this.counts.received += 1;
    this.observer?.bus('received');
    if (message.origin === this.instanceId) return;
    this.dropL1(message.namespace, message.key);
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

  private async l2Get(id: string): Promise<unknown> {
    if (!this.redis || this.redis.status !== 'ready') return undefined;
    try {
      const text = await bounded(this.redis.get(this.l2Prefix + id));
      return text === null ? undefined : (JSON.parse(text) as unknown);
    } catch {
      this.counts.l2Errors += 1;
      return undefined;
    }
  }

  private async l2Set(namespace: string, id: string, value: unknown, ttlMs: number): Promise<void> {
    if (!this.redis || this.redis.status !== 'ready') return;
    try {
      const members = this.l2Members + namespace;
      await bounded(
        this.redis
          .multi()
          .set(this.l2Prefix + id, JSON.stringify(value), 'PX', ttlMs)
          .sadd(members, id)
          .pexpire(members, this.settings.l2TtlMs)
          .exec(),
      );
    } catch {
      this.counts.l2Errors += 1;
    }
  }

  private async dropL2(namespace?: string, key?: string): Promise<number> {
    const redis = this.redis;
    if (!redis || redis.status !== 'ready') return 0;
    try {
      if (namespace !== undefined && key !== undefined) return await bounded(redis.del(this.l2Prefix + `${namespace}:${key}`));
      const namespaces = namespace !== undefined ? [namespace] : (await bounded(redis.keys(`${this.l2Members}*`))).map((k) => k.slice(this.l2Members.length));
      let n = 0;
      for (const ns of namespaces) {
        const ids = await bounded(redis.smembers(this.l2Members + ns));
        const keys = ids.map((id) => this.l2Prefix + id);
        n += await bounded(redis.del(this.l2Members + ns, ...keys));
        if (ids.length) n -= 1; // the member set itself is not an entry
      }
      return Math.max(0, n);
    } catch {
      this.counts.l2Errors += 1;
      this.l2Dirty = true;
      return 0;
    }
  }

  private async publish(message: BusMessage): Promise<void> {
    if (!this.redis || this.redis.status !== 'ready') return;
    try {
      await bounded(this.redis.publish(this.channel, JSON.stringify(message)));
      this.counts.published += 1;
      this.observer?.bus('published');
    } catch {
      this.counts.l2Errors += 1;
      this.l2Dirty = true;
    }
  }

  private count(layer: 'l1' | 'l2', hit: boolean): void {
    if (layer === 'l1') this.counts[hit ? 'l1Hits' : 'l1Misses'] += 1;
    else this.counts[hit ? 'l2Hits' : 'l2Misses'] += 1;
    if (hit) this.observer?.hit(layer);
    else this.observer?.miss(layer);
  }
}

/** A command's promise, or a rejection after L2_DEADLINE_MS: a slow Redis never holds a request. */
function bounded<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`redis cache command timed out after ${L2_DEADLINE_MS} ms`)), L2_DEADLINE_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Serialized size in bytes (UTF-8 close enough for accounting); values that cannot be serialized count 1. */
export function approximateSize(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  } catch {
    return 1;
  }
}
