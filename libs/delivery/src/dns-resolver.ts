import type { LookupAddress, RecordWithTtl } from 'node:dns';
import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import { LRUCache } from 'lru-cache';
import { DnsLookupSlots } from './dns-lookup-slots';
import { HostsFile } from './hosts-file';
import { ResolvConf, type SearchConfig, searchCandidates } from './resolv-conf';

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

/** One name's A and AAAA: addresses and how long to keep them, or the failure's code. */
type Answer = { addresses: LookupAddress[]; keepMs: number } | { code: string };

/**
 * Resolves webhook hostnames without libuv's thread pool (`dns.lookup` runs getaddrinfo there: four threads, and a
 * queued lookup cannot be cancelled, so slow names starved every other hostname). The hosts file first, then a
 * bounded cache honouring TTLs (failures cached for `negativeTtlMs`), then c-ares with its timeout and tries, over
 * the names /etc/resolv.conf's `search` and `ndots` make of a relative name (c-ares's resolve* ask the name only
 * as given). Identical lookups in flight are coalesced, and DnsLookupSlots bounds them in total: a lookup that
 * cannot get a slot in time fails fast (DnsBusyError, a retryable delivery error).
 */
export class DnsResolver {
  private readonly cache: LRUCache<string, CacheEntry>;
  private readonly inFlight = new Map<string, Promise<LookupAddress[]>>();
  private readonly slots: DnsLookupSlots;
  /** One lookup's budget, all its names together; c-ares's own timeouts should end each name's query first. */
  private readonly deadlineMs: number;
  private searchConfig: SearchConfig | undefined;

  constructor(
    private readonly settings: DnsSettings,
    private readonly backend: DnsBackend,
    private readonly hosts: Pick<HostsFile, 'lookup'>,
    private readonly resolvConf: Pick<ResolvConf, 'current'>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.cache = new LRUCache({ max: settings.cacheSize });
    this.slots = new DnsLookupSlots(settings.maxConcurrent, settings.maxConcurrent * DNS_QUEUE_PER_SLOT, settings.queueWaitMs);
    this.deadlineMs = settings.timeoutMs * 2 ** (settings.tries + 1) + 1000;
  }

  /** c-ares with the settings' servers, timeout and tries; the system's hosts file and search list. */
  static system(settings: DnsSettings, hostsPath = '/etc/hosts', resolvConfPath = '/etc/resolv.conf'): DnsResolver {
    const resolver = new dnsPromises.Resolver({ timeout: settings.timeoutMs, tries: settings.tries });
    if (settings.servers.length > 0) resolver.setServers(settings.servers);
    return new DnsResolver(settings, resolver, new HostsFile(hostsPath), new ResolvConf(resolvConfPath));
  }

  get lookupsInFlight(): number {
    return this.inFlight.size;
  }

  /** Every address of `hostname`, IPv4 first; rejects with a DnsLookupError or DnsBusyError (both carry `code`). */
  resolve(hostname: string): Promise<LookupAddress[]> {
    const asked = hostname.toLowerCase().replace(/^\[|\]$/g, '');
    const bare = asked.replace(/\.$/, '');
    const family = isIP(bare);
    if (family !== 0) return Promise.resolve([{ address: bare, family }]);
    const config = this.resolvConf.current;
    if (config !== this.searchConfig) {
      // Relative names' answers depend on the search list.
      if (this.searchConfig) this.cache.clear();
      this.searchConfig = config;
    }
    const candidates = searchCandidates(asked, config);
    // As nsswitch `files dns`: the hosts file for every name before DNS for any.
    for (const name of [bare, ...candidates]) {
      const listed = this.hosts.lookup(name);
      if (listed) return Promise.resolve(listed);
    }
    // A name that is only itself is cached as the absolute name.
    const key = candidates.length === 1 ? `${candidates[0]}.` : asked;
    const cached = this.fresh(key);
    if (cached) return cached.error ? Promise.reject(cached.error) : Promise.resolve(cached.addresses);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.slots.run(() => this.search(key, asked, candidates)).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** Cancels c-ares's outstanding queries (they fail with ECANCELLED). */
  close(): void {
    this.backend.cancel();
  }

  /** Asks the candidates in order, within one shared budget; the first with addresses answers. */
  private async search(key: string, asked: string, candidates: string[]): Promise<LookupAddress[]> {
    let timer: NodeJS.Timeout | undefined;
    let spent = false;
    const budget = new Promise<Answer>((done) => {
      timer = setTimeout(() => {
        spent = true;
        done({ code: 'ETIMEOUT' });
      }, this.deadlineMs);
    });
    const failures: string[] = [];
    let tried = 0;
    try {
      for (const candidate of candidates) {
        tried += 1;
        const known = this.fresh(`${candidate}.`);
        const answer =
          known && !known.error ? { addresses: known.addresses, keepMs: known.expiresAt - this.now() } : await Promise.race([this.ask(candidate), budget]);
        if ('code' in answer) {
          failures.push(answer.code);
          if (spent) break;
          continue;
        }
        // An earlier name that failed transiently may have an answer: ask again soon.
        const transient = failures.some((code) => !NOT_FOUND.has(code));
        this.remember(`${candidate}.`, { addresses: answer.addresses, expiresAt: this.now() + answer.keepMs });
        this.remember(key, {
          addresses: answer.addresses,
          expiresAt: this.now() + (transient ? Math.min(answer.keepMs, this.settings.negativeTtlMs) : answer.keepMs),
        });
        return answer.addresses;
      }
    } finally {
      clearTimeout(timer);
    }
    const code = failures.find((c) => !NOT_FOUND.has(c)) ?? 'ENOTFOUND';
    const names = candidates.length > 1 ? `; ${tried === candidates.length ? 'all' : `${tried} of`} ${candidates.length} names of the search list tried` : '';
    const error = new DnsLookupError(
      code,
      code === 'ENOTFOUND' ? `no address for ${asked} (ENOTFOUND${names})` : `DNS lookup of ${asked} failed (${code}${names})`,
    );
    this.remember(key, { addresses: [], error, expiresAt: this.now() + this.settings.negativeTtlMs });
    throw error;
  }

  /** One name's A and AAAA in parallel, IPv4 first. */
  private async ask(name: string): Promise<Answer> {
    const [v4, v6] = await Promise.allSettled([this.backend.resolve4(name, { ttl: true }), this.backend.resolve6(name, { ttl: true })]);
    const records = [v4, v6].map((r, i) =>
      r.status === 'fulfilled' ? r.value.map((rec) => ({ address: rec.address, family: i === 0 ? 4 : 6, ttl: rec.ttl })) : [],
    );
    const found = [...records[0], ...records[1]];
    const failures = [v4, v6].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => errorCode(r.reason));
    if (found.length === 0) return { code: failures.find((c) => !NOT_FOUND.has(c)) ?? 'ENOTFOUND' };
    const ttlMs = Math.min(...found.map((r) => r.ttl * 1000));
    // One family failing for a reason other than "no such record" is asked again soon.
    const transient = failures.some((code) => !NOT_FOUND.has(code));
    const keepMs = Math.min(Math.max(ttlMs, DNS_MIN_TTL_MS), DNS_MAX_TTL_MS, transient ? this.settings.negativeTtlMs : Infinity);
    return { addresses: found.map(({ address, family }) => ({ address, family })), keepMs };
  }

  private fresh(key: string): CacheEntry | undefined {
    const entry = this.cache.get(key);
    return entry && entry.expiresAt > this.now() ? entry : undefined;
  }

  private remember(name: string, entry: CacheEntry): void {
    if (entry.expiresAt > this.now()) this.cache.set(name, entry);
  }
}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EDNS';
}
