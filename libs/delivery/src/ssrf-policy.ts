import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';
import type { Cidr } from '@app/config';

export class BlockedAddressError extends Error {
  readonly code = 'ESSRF';
  constructor(address: string) {
    super(`refused to connect to ${address}: loopback, private, link-local, CGNAT, unique-local and IPv4-mapped addresses are not allowed in strict mode (see WEBHOOK_ALLOWED_CIDRS)`);
  }
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
    if (!this.strict) return true;
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      ip = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
    } catch {
      return false;
    }
    const candidates: Array<ipaddr.IPv4 | ipaddr.IPv6> = [ip];
    // ::ffff:10.0.0.1 is 10.0.0.1 to the kernel: an allowlisted v4 range covers its mapped form, nothing else does.
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) candidates.push((ip as ipaddr.IPv6).toIPv4Address());
    for (const candidate of candidates) {
      for (const [range, bits] of this.allowed) {
        if (candidate.kind() === range.kind() && candidate.match(range, bits)) return true;
      }
    }
    return ip.range() === 'unicast';
  }

  /** A `lookup` for http(s).request: resolves, then refuses if any answer is a forbidden address. */
  readonly lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, []);
      const blocked = addresses.find((a) => !this.allows(a.address));
      if (blocked) return callback(new BlockedAddressError(blocked.address), []);
      if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };

  /** Literal IPs skip `lookup` in Node's net module: checked here instead. */
  checkLiteral(hostname: string): BlockedAddressError | undefined {
    const bare = hostname.replace(/^\[|\]$/g, '');
    return isIP(bare) && !this.allows(bare) ? new BlockedAddressError(bare) : undefined;
  }
}
