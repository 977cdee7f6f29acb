import { WatchedFile } from './watched-file';

/** Names tried per lookup, the name as given included (the first search domains are kept, the rest ignored). */
export const DNS_MAX_CANDIDATES = 6;
/** glibc's cap on `options ndots:N`. */
const MAX_NDOTS = 15;

/** What a lookup takes from /etc/resolv.conf: the search list and `ndots`. */
export interface SearchConfig {
  /** Lower case, no trailing dot; at most DNS_MAX_CANDIDATES - 1. */
  search: string[];
  ndots: number;
}

/**
 * `search a b c` (or `domain a`: the last of the two wins, as in glibc) and `options ndots:N` (default 1, at most
 * 15). `#` and `;` start comments; other keywords and options are ignored.
 */
export function parseResolvConf(text: string): SearchConfig {
  let search: string[] = [];
  let ndots = 1;
  for (const raw of text.split('\n')) {
    const [keyword, ...args] = raw
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/);
    if (keyword === 'search' || keyword === 'domain') {
      const domains = (keyword === 'domain' ? args.slice(0, 1) : args).map((d) => d.toLowerCase().replace(/\.$/, '')).filter((d) => d !== '');
      search = [...new Set(domains)].slice(0, DNS_MAX_CANDIDATES - 1);
    } else if (keyword === 'options') {
      for (const option of args) {
        const m = /^ndots:(\d+)$/.exec(option);
        if (m) ndots = Math.min(Number(m[1]), MAX_NDOTS);
      }
    }
  }
  return { search, ndots };
}

/**
 * The names to ask DNS for `name`, in order, as glibc's res_search builds them: a name ending with `.` is absolute
 * (only itself); one with at least `ndots` dots is tried as is first, then with each search domain; one with fewer
 * dots with each search domain first, then as is. `name` is lower case; the candidates carry no trailing dot.
 */
export function searchCandidates(name: string, config: SearchConfig): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const suffixed = config.search.map((domain) => `${name}.${domain}`);
  const dots = name.split('.').length - 1;
  return dots >= config.ndots ? [name, ...suffixed] : [...suffixed, name];
}

/** /etc/resolv.conf's search list and ndots, re-read when the file changes (looked at at most once a second). */
export class ResolvConf {
  private readonly file: WatchedFile<SearchConfig>;

  constructor(path: string, now: () => number = () => performance.now()) {
    this.file = new WatchedFile(path, parseResolvConf, now);
  }

  /** The same object until the file changes. */
  get current(): SearchConfig {
    return this.file.value;
  }
}
