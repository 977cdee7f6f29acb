import type { RecordWithTtl } from 'node:dns';
import type { DnsBackend } from './dns-resolver';

/** For specs only. */
export type Answer = RecordWithTtl[] | { code: string };

/** A fake c-ares: answers per name and family from `zone`, counts queries, and can hold answers until released. */
export class FakeBackend implements DnsBackend {
  queries: string[] = [];
  hold = false;
  cancelled = false;
  private readonly held: Array<() => void> = [];

  constructor(public zone: Record<string, { a?: Answer; aaaa?: Answer }>) {}

  resolve4(name: string): Promise<RecordWithTtl[]> {
    return this.answer(name, 'a');
  }

  resolve6(name: string): Promise<RecordWithTtl[]> {
    return this.answer(name, 'aaaa');
  }

  cancel(): void {
    this.cancelled = true;
  }

  release(): void {
    for (const go of this.held.splice(0)) go();
  }

  private answer(name: string, type: 'a' | 'aaaa'): Promise<RecordWithTtl[]> {
    this.queries.push(`${type} ${name}`);
    const a = this.zone[name]?.[type] ?? { code: 'ENOTFOUND' };
    const settle = (ok: (v: RecordWithTtl[]) => void, fail: (e: unknown) => void) =>
      Array.isArray(a) ? ok(a) : fail(Object.assign(new Error(`query ${a.code}`), { code: a.code }));
    if (!this.hold) return new Promise(settle);
    return new Promise((ok, fail) => this.held.push(() => settle(ok, fail)));
  }
}

export const v4 = (address: string, ttl = 60): RecordWithTtl => ({ address, ttl });
