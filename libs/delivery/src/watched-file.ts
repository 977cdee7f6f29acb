import { readFileSync, statSync } from 'node:fs';

/** How often the file's mtime is looked at (a synchronous stat: microseconds, and never on libuv's thread pool). */
export const WATCH_EVERY_MS = 1000;

/**
 * A small system file (/etc/hosts, /etc/resolv.conf) parsed into `T`, re-read when its mtime, size or inode
 * changes, checked at most once per WATCH_EVERY_MS. A missing or unreadable file parses as empty text.
 */
export class WatchedFile<T> {
  private parsed: T | undefined;
  private version = '';
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly path: string,
    private readonly parse: (text: string) => T,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The parsed content; the same object until the file changes. */
  get value(): T {
    const now = this.now();
    if (this.parsed !== undefined && now - this.checkedAt < WATCH_EVERY_MS) return this.parsed;
    this.checkedAt = now;
    let version: string;
    try {
      const st = statSync(this.path);
      version = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      version = 'missing';
    }
    if (this.parsed !== undefined && version === this.version) return this.parsed;
    this.version = version;
    let text = '';
    try {
      if (version !== 'missing') text = readFileSync(this.path, 'utf8');
    } catch {
      text = '';
    }
    this.parsed = this.parse(text);
    return this.parsed;
  }
}
