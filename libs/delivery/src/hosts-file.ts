import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { WatchedFile } from './watched-file';

/**
 * The hosts file as `files` in nsswitch reads it: c-ares's Resolver only asks DNS, so names like `localhost` are
 * answered from here first. Re-read when its mtime, size or inode changes (checked at most once a second); a
 * missing or unreadable file answers nothing.
 */
export class HostsFile {
  private readonly file: WatchedFile<Map<string, LookupAddress[]>>;

  constructor(path: string, now: () => number = () => performance.now()) {
    this.file = new WatchedFile(path, parseHosts, now);
  }

  /** The file's addresses for `name` (lower case, no trailing dot), IPv4 first; undefined when it is not listed. */
  lookup(name: string): LookupAddress[] | undefined {
    return this.file.value.get(name);
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
