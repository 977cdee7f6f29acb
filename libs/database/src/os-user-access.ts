import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** An operating-system account a child process runs as (PostgreSQL refuses to run as root). */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  /** Primary and supplementary groups. */
  groups: number[];
}

/** The account called `name`, or undefined when there is none. */
export function lookupOsUser(name: string): OsUser | undefined {
  try {
    const id = (flag: string) => execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { name, uid: Number(id('-u')), gid: Number(id('-g')), groups: id('-G').split(/\s+/).map(Number) };
  } catch {
    return undefined;
  }
}

type Stat = (path: string) => { uid: number; gid: number; mode: number };

/**
 * The first component of `path` that `user` may not pass (every directory on the way, and `path` itself, needs
 * its x bit for that user: search for a directory, execute for a program), or undefined when all of it is
 * reachable. Classic mode bits only: a POSIX ACL granting more is not seen, so this errs towards "unreachable".
 */
export function firstUnreachable(path: string, user: OsUser, stat: Stat = statSync): string | undefined {
  const target = resolve(path);
  const chain: string[] = [];
  for (let p = target; ; p = dirname(p)) {
    chain.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of chain) {
    const st = stat(p);
    const bits = st.uid === user.uid ? (st.mode >> 6) & 7 : user.groups.includes(st.gid) ? (st.mode >> 3) & 7 : st.mode & 7;
    if ((bits & 1) === 0) return p;
  }
  return undefined;
}
