import type { LookupAddress } from 'node:dns';
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';

/** How often the file's mtime is looked at (a synchronous stat: microseconds, and never on libuv's thread pool). */
const CHECK_EVERY_MS = 1000;

/**
 * The hosts file as `files` in nsswitch reads it: c-ares's Resolver only asks DNS, so names like `localhost` are
 * answered from here first. Re-read when its mtime, size or inode changes (checked at most once a second); a
 * missing or unreadable file answers nothing.
 */
export class HostsFile {
  private byName = new Map<string, LookupAddress[]>();
  private version = '';
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly path: string,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The file's addresses for `name` (lower case, no trailing dot), IPv4 first; undefined when it is not listed. */
  lookup(name: string): LookupAddress[] | undefined {
    this.refresh();
    return this.byName.get(name);
  }

  private refresh(): void {
    const now = this.now();
    if (now - this.checkedAt < CHECK_EVERY_MS) return;
    this.checkedAt = now;
    let version: string;
    try {
      const st = statSync(this.path);
      version = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      version = 'missing';
    }
    if (version === this.version) return;
    this.version = version;
    let text = '';
    try {
      if (version !== 'missing') text = readFileSync(this.path, 'utf8');
    } catch {
      text = '';
    }
    this.byName = parseHosts(text);
  }
}

/** `address name [aliases...]` per line, `#` starts a comment; lines whose first field is not an IP are skipped. */
export function parseHosts(text: string): Map<string, LookupAddress[]> {
  const out = new Map<string, LookupAddress[]>();
  for (const raw of text.split('\n')) {
    const fields = raw.replace(/#.*$/, '').trim().split(/\s+/);
    if (fields.length < 2) continue;
    const address = fields[0];
    const family = isIP(address);
    if (family === 0) continue;
    for (const field of fields.slice(1)) {
      const name = field.toLowerCase().replace(/\.$/, '');
      const list = out.get(name) ?? [];
      if (!list.some((a) => a.address === address)) list.push({ address, family });
      out.set(name, list);
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.family - b.family);
  return out;
}
