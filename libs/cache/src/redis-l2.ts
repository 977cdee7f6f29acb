import type Redis from 'ioredis';
import { withDeadline } from '@app/redis';

/** Bound on any one L2 or bus command, on top of the client's own command timeout. */
export const L2_DEADLINE_MS = 250;
const L2_PREFIX = 'sg:cache:';
const L2_MEMBERS = 'sg:cache-ns:';
const L2_NAMESPACES = 'sg:cache-nss:';

/**
 * The shared layer: JSON values in Redis under `sg:cache:<scope>:<namespace>:<key>`, with a member set per namespace
 * and a set of the namespaces, so a namespace or the whole scope is dropped without scanning the keyspace. Every command is bounded; a failure is counted, never
 * thrown, and a failed drop marks the layer dirty (it may hold entries that were meant to go) until `clear` succeeds.
 */
export class RedisL2 {
  /** An invalidation could not reach Redis: L2 may hold entries we meant to drop, so it is cleared on reconnect. */
  dirty = false;
  errors = 0;
  private readonly prefix: string;
  private readonly members: string;
  private readonly namespaceSet: string;

  constructor(
    private readonly redis: Redis,
    scope: string,
    private readonly l2TtlMs: number,
  ) {
    this.prefix = `${L2_PREFIX}${scope}:`;
    this.members = `${L2_MEMBERS}${scope}:`;
    this.namespaceSet = `${L2_NAMESPACES}${scope}`;
  }

  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  async get(id: string): Promise<unknown> {
    if (!this.ready) return undefined;
    try {
      const text = await bounded(this.redis.get(this.prefix + id));
      return text === null ? undefined : (JSON.parse(text) as unknown);
    } catch {
      this.errors += 1;
      return undefined;
    }
  }

  async set(namespace: string, id: string, value: unknown, ttlMs: number): Promise<void> {
    if (!this.ready) return;
    try {
      const members = this.members + namespace;
      await bounded(
        this.redis
          .multi()
          .set(this.prefix + id, JSON.stringify(value), 'PX', ttlMs)
          .sadd(members, id)
          .pexpire(members, this.l2TtlMs)
          .sadd(this.namespaceSet, namespace)
          .pexpire(this.namespaceSet, this.l2TtlMs)
          .exec(),
      );
    } catch {
      this.errors += 1;
    }
  }

  /**
   * Drops namespace/key, a namespace, or (neither) the whole scope, in one command (one round trip, so a caller can
   * send its bus message right behind it on the same connection: Redis runs them in that order). Returns the entries
   * dropped.
   */
  async drop(namespace?: string, key?: string): Promise<number> {
    if (!this.ready) {
      this.dirty = true;
      return 0;
    }
    try {
      if (namespace !== undefined && key !== undefined) return await bounded(this.redis.del(this.prefix + `${namespace}:${key}`));
      const args = [this.prefix, this.members, this.namespaceSet, ...(namespace === undefined ? [] : [namespace])];
      return Number(await bounded(this.redis.eval(DROP_NAMESPACES_LUA, 0, ...args)));
    } catch {
      this.errors += 1;
      this.dirty = true;
      return 0;
    }
  }
}

/**
 * ARGV: entry prefix, member-set prefix, the namespace set, then the namespace (none: every namespace of the scope).
 * Deletes each namespace's entries and its member set; returns the entries deleted. Lua rather than SMEMBERS + DEL
 * from the client: one round trip instead of two, and atomic. The keys are derived inside the script, so it needs a
 * single Redis (not Cluster), which is what the service supports.
 */
const DROP_NAMESPACES_LUA = `
local prefix, members = ARGV[1], ARGV[2]
local namespaces
if #ARGV >= 4 then namespaces = { ARGV[4] } else namespaces = redis.call('SMEMBERS', ARGV[3]) end
local n = 0
for _, ns in ipairs(namespaces) do
  local ids = redis.call('SMEMBERS', members .. ns)
  for i = 1, #ids, 500 do
    local keys = {}
    for j = i, math.min(i + 499, #ids) do keys[#keys + 1] = prefix .. ids[j] end
    n = n + redis.call('DEL', unpack(keys))
  end
  redis.call('DEL', members .. ns)
end
return n
`;

/** A command's promise, or a rejection after L2_DEADLINE_MS: a slow Redis never holds a request. */
export function bounded<T>(promise: Promise<T>): Promise<T> {
  return withDeadline(promise, L2_DEADLINE_MS, 'redis cache command');
}
