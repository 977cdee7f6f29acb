import type { LookupAddress, RecordWithTtl } from 'node:dns';
import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import { LRUCache } from 'lru-cache';
import { DnsLookupSlots } from './dns-lookup-slots';
import { HostsFile } from './hosts-file';

export { DnsBusyError } from './dns-lookup-slots';

/** The resolver's bounds (DELIVERY_DNS_* settings). */
export interface DnsSettings {
  /** `ip` or `ip:port` / `[ip6]:port`; empty = the system's (resolv.conf). */
  servers: string[];
  /** c-ares's timeout of a first try; later tries wait longer. */
  timeoutMs: number;
  tries: number;
  maxConcurrent: number;
  queueWaitMs: number;
  cacheSize: number;
  negativeTtlMs: number;
}

/** What the resolver needs of c-ares (`dns.promises.Resolver`); specs pass a fake. */
export interface DnsBackend {
  resolve4(hostname: string, options: { ttl: true }): Promise<RecordWithTtl[]>;
  resolve6(hostname: string, options: { ttl: true }): Promise<RecordWithTtl[]>;
  cancel(): void;
}

/** Positive answers are kept for their TTL, within these bounds. */
export const DNS_MIN_TTL_MS = 1000;
export const DNS_MAX_TTL_MS = 3_600_000;
/** Lookups allowed to wait for a slot, per slot. */
export const DNS_QUEUE_PER_SLOT = 4;
const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME']);

export class DnsLookupError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface CacheEntry {
  addresses: LookupAddress[];
  error?: DnsLookupError;
  expiresAt: number;
}

/**
 * Resolves webhook hostnames without libuv's thread pool (`dns.lookup` runs getaddrinfo there: four threads, and a
 * queued lookup cannot be cancelled, so slow names starved every other hostname). The hosts file first, then a
 * bounded cache honouring TTLs (failures cached for `negativeTtlMs`), then c-ares with its timeout and tries.
 * Identical lookups in flight are coalesced, and DnsLookupSlots bounds them in total: a lookup that cannot get a
 * slot in time fails fast (DnsBusyError, a retryable delivery error).
 */
export class DnsResolver {
  private readonly cache: LRUCache<string, CacheEntry>;
  private readonly inFlight = new Map<string, Promise<LookupAddress[]>>();
  private readonly slots: DnsLookupSlots;
  /** Backstop for a backend that never settles: c-ares's own timeouts should always come first. */
  private readonly deadlineMs: number;

  constructor(
    private readonly settings: DnsSettings,
    private readonly backend: DnsBackend,
    private readonly hosts: Pick<HostsFile, 'lookup'>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.cache = new LRUCache({ max: settings.cacheSize });
    this.slots = new DnsLookupSlots(settings.maxConcurrent, settings.maxConcurrent * DNS_QUEUE_PER_SLOT, settings.queueWaitMs);
    this.deadlineMs = settings.timeoutMs * 2 ** (settings.tries + 1) + 1000;
  }

  /** c-ares with the settings' servers, timeout and tries, and the system's hosts file. */
  static system(settings: DnsSettings, hostsPath = '/etc/hosts'): DnsResolver {
    const resolver = new dnsPromises.Resolver({ timeout: settings.timeoutMs, tries: settings.tries });
    if (settings.servers.length > 0) resolver.setServers(settings.servers);
    return new DnsResolver(settings, resolver, new HostsFile(hostsPath));
  }

  get lookupsInFlight(): number {
    return this.inFlight.size;
  }

  /** Every address of `hostname`, IPv4 first; rejects with a DnsLookupError or DnsBusyError (both carry `code`). */
  resolve(hostname: string): Promise<LookupAddress[]> {
    const name = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
    const family = isIP(name);
    if (family !== 0) return Promise.resolve([{ address: name, family }]);
    const listed = this.hosts.lookup(name);
    if (listed) return Promise.resolve(listed);
    const cached = this.cache.get(name);
    if (cached && cached.expiresAt > this.now()) return cached.error ? Promise.reject(cached.error) : Promise.resolve(cached.addresses);
    let pending = this.inFlight.get(name);
    if (!pending) {
      pending = this.slots.run(() => this.query(name)).finally(() => this.inFlight.delete(name));
      this.inFlight.set(name, pending);
    }
    return pending;
  }

  /** Cancels c-ares's outstanding queries (they fail with ECANCELLED). */
  close(): void {
    this.backend.cancel();
  }

  private async query(name: string): Promise<LookupAddress[]> {
    const [v4, v6] = await Promise.allSettled([this.withDeadline(this.backend.resolve4(name, { ttl: true })), this.withDeadline(this.backend.resolve6(name, { ttl: true }))]);
    const records = [v4, v6].map((r, i) => (r.status === 'fulfilled' ? r.value.map((rec) => ({ address: rec.address, family: i === 0 ? 4 : 6, ttl: rec.ttl })) : []));
    const found = [...records[0], ...records[1]];
    const failures = [v4, v6].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => errorCode(r.reason));
    if (found.length > 0) {
      const ttlMs = Math.min(...found.map((r) => r.ttl * 1000));
      // One family failing for a reason other than "no such record" is asked again soon.
      const transient = failures.some((code) => !NOT_FOUND.has(code));
      const keepMs = Math.min(Math.max(ttlMs, DNS_MIN_TTL_MS), DNS_MAX_TTL_MS, transient ? this.settings.negativeTtlMs : Infinity);
      const addresses = found.map(({ address, family }) => ({ address, family }));
      this.remember(name, { addresses, expiresAt: this.now() + keepMs });
      return addresses;
    }
    const code = failures.find((c) => !NOT_FOUND.has(c)) ?? 'ENOTFOUND';
    const error = new DnsLookupError(code, code === 'ENOTFOUND' ? `no address for ${name} (ENOTFOUND)` : `DNS lookup of ${name} failed (${code})`);
    this.remember(name, { addresses: [], error, expiresAt: this.now() + this.settings.negativeTtlMs });
    throw error;
  }

  private remember(name: string, entry: CacheEntry): void {
    if (entry.expiresAt > this.now()) this.cache.set(name, entry);
  }

  private withDeadline<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DnsLookupError('ETIMEOUT', 'DNS lookup timed out')), this.deadlineMs);
    });
    return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
  }
}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EDNS';
}
