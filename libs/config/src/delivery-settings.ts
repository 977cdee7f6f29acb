import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';

/** Parsers for the delivery variables' formats; used by the schema (fail fast at boot) and by the workers. */

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const MAX_DELAY_MS = 7 * 24 * 3_600_000;

/** `0,5s,5m,30m,2h` → delays in ms; undefined when malformed. A bare number is milliseconds. */
export function parseRetrySchedule(text: string): number[] | undefined {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length < 1 || parts.length > 20) return undefined;
  const out: number[] = [];
  for (const part of parts) {
    const m = DURATION_RE.exec(part);
    if (!m) return undefined;
    const ms = Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'ms']);
    if (!Number.isFinite(ms) || ms > MAX_DELAY_MS) return undefined;
    out.push(ms);
  }
  return out;
}

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** `10.0.0.0/8, fd00::/8` → parsed CIDRs; '' → []; undefined when malformed. */
export function parseCidrList(text: string): Cidr[] | undefined {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const out: Cidr[] = [];
  for (const part of parts) {
    try {
      out.push(ipaddr.parseCIDR(part));
    } catch {
      return undefined;
    }
  }
  return out;
}

/**
 * `127.0.0.1, 10.0.0.2:5353, [fd00::53]:53, ::1` → servers as `dns.setServers` takes them; '' → [] (the system's);
 * undefined when malformed.
 */
export function parseDnsServers(text: string): string[] | undefined {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const out: string[] = [];
  for (const part of parts) {
    const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(part) ?? /^([^:]+):(\d{1,5})$/.exec(part) ?? [part, part, undefined];
    const [, host, port] = m;
    if (isIP(host) === 0) return undefined;
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined;
    out.push(part);
  }
  return out;
}
