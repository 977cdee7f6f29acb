import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';
import type { Cidr } from '@app/config';

export class BlockedAddressError extends Error {
  readonly code = 'ESSRF';
  constructor(
    readonly address: string,
    /** The range that refused it: `loopback`, `private`, `ipv4Compatible`, ... (ipaddr.js range names). */
    readonly rule: string = 'blocked',
  ) {
    super(`refused to connect to ${address}: ${rule} addresses are not allowed in strict mode (public unicast only, plus WEBHOOK_ALLOWED_CIDRS)`);
  }
}

/** ::/96 minus :: and ::1: IPv4-compatible IPv6 (deprecated, RFC 4291), which ipaddr.js reports as `unicast`. */
function isIpv4Compatible(ip: ipaddr.IPv6): boolean {
  const p = ip.parts;
  return p[0] === 0 && p[1] === 0 && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0 && (p[6] !== 0 || p[7] > 1);
}

/**
 * Which addresses a webhook may connect to. Strict mode allows public unicast only, plus WEBHOOK_ALLOWED_CIDRS;
 * the check runs on the address actually connected to (after DNS), so a hostname resolving to 127.0.0.1 or a
 * rebinding DNS answer is refused the same way as a literal.
 */
export class SsrfPolicy {
  constructor(
    readonly strict: boolean,
    private readonly allowed: Cidr[],
  ) {}

  allows(address: string): boolean {
    return this.blockedRule(address) === undefined;
  }

  /** Why `address` is refused (the name of its range), or undefined when it may be connected to. */
  blockedRule(address: string): string | undefined {
    if (!this.strict) return undefined;
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      ip = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
    } catch {
      return 'invalid';
    }
    const candidates: Array<ipaddr.IPv4 | ipaddr.IPv6> = [ip];
    // ::ffff:10.0.0.1 is 10.0.0.1 to the kernel: an allowlisted v4 range covers its mapped form, nothing else does.
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) candidates.push((ip as ipaddr.IPv6).toIPv4Address());
    for (const candidate of candidates) {
      for (const [range, bits] of this.allowed) {
        if (candidate.kind() === range.kind() && candidate.match(range, bits)) return undefined;
      }
    }
    if (ip.kind() === 'ipv6' && isIpv4Compatible(ip as ipaddr.IPv6)) return 'ipv4Compatible';
    const range = ip.range();
    return range === 'unicast' ? undefined : range;
  }

  /**
   * A `lookup` for http(s).request on top of `resolve` (the DnsResolver): refuses if any answer is a forbidden
   * address, so the connection only ever goes to addresses this policy checked.
   */
  lookupVia(resolve: (hostname: string) => Promise<LookupAddress[]>) {
    return (
      hostname: string,
      options: LookupOptions,
      callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
    ): void => {
      resolve(hostname).then(
        (resolved) => {
          for (const a of resolved) {
            const rule = this.blockedRule(a.address);
            if (rule) return callback(new BlockedAddressError(a.address, rule), []);
          }
          const wanted = familyOf(options.family);
          const addresses = resolved.filter((a) => !wanted || a.family === wanted);
          if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
          if (options.all) return callback(null, addresses);
          callback(null, addresses[0].address, addresses[0].family);
        },
        (err: NodeJS.ErrnoException) => callback(err, []),
      );
    };
  }

  /** Literal IPs skip `lookup` in Node's net module: checked here instead. */
  checkLiteral(hostname: string): BlockedAddressError | undefined {
    const bare = hostname.replace(/^\[|\]$/g, '');
    if (!isIP(bare)) return undefined;
    const rule = this.blockedRule(bare);
    return rule ? new BlockedAddressError(bare, rule) : undefined;
  }

  /**
   * For a webhook URL at registration: refused when its host is a literal address in a blocked range (WHATWG
   * parsing first, so `http://2130706433/` and `http://[::127.0.0.1]/` are seen as the addresses they are).
   * Hostnames pass here and are checked at connect time, after DNS.
   */
  checkUrl(url: string): BlockedAddressError | undefined {
    let hostname: string;
    try {
      hostname = new URL(url).hostname;
    } catch {
      return undefined; // not a URL: the DTO's own URL rule reports it
    }
    return this.checkLiteral(hostname);
  }
}

/** `family` as http(s).request passes it: 4, 6, 'IPv4', 'IPv6', or 0/undefined for either. */
function familyOf(family: LookupOptions['family']): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}
