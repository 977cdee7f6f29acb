import { type Outcome, outcomeClass } from './fleet-load';

/** Bookkeeping of the soak (test/soak.long-spec.ts): fault windows, readiness samples, attribution, the summary. */

export interface Fault {
  what: 'postgres' | 'redis' | 'api kill -9';
  /** When the dependency went down / the process was killed (ms, Date.now()). */
  down: number;
  /** When it was started again. */
  up: number;
  /** When every running API reported it (readiness 503): filled by `analyse`. */
  detectedMs?: number;
  /** From `up` until every running API answered readiness 200 again. */
  recoveredMs?: number;
  perPort?: Array<{ port: number; detected?: number; recovered?: number }>;
  /** The API killed (kill faults): its port is left out of the other faults it overlaps. */
  port?: number;
}

export interface Sample {
  at: number;
  port: number;
  status: number; // 0: no answer
}

export interface Record_ {
  start: number;
  end: number;
  outcome: Outcome;
  op: string;
}

/**
 * Fills each fault's detection and recovery times from the readiness samples, over the APIs that were serving (ready)
 * when it began (a replica still booting reports nothing about it): detection, the first 503 on each after `down`;
 * recovery, the first 200 on each after `up`. The slowest API counts; `perPort` keeps the detail.
 */
export function analyse(faults: Fault[], samples: Sample[]): void {
  for (const f of faults) {
    const lastBefore = new Map<number, number>();
    for (const s of samples) if (s.at < f.down) lastBefore.set(s.port, s.status);
    // A replica killed during this fault's outage or recovery reports the kill, not this fault.
    const killed = faults.filter((k) => k !== f && k.port !== undefined && k.down >= f.down - 1000 && k.down <= f.up + 30_000).map((k) => k.port);
    const ports = [...lastBefore].filter(([port, status]) => status === 200 && !killed.includes(port)).map(([port]) => port);
    if (f.port !== undefined) ports.splice(0, ports.length, f.port);
    const first = (port: number, from: number, status: number) => samples.find((s) => s.port === port && s.at >= from && s.status === status)?.at;
    f.perPort = ports.map((port) => ({
      port,
      detected: f.what === 'api kill -9' ? undefined : delta(first(port, f.down, 503), f.down),
      recovered: delta(first(port, f.up, 200), f.up),
    }));
    if (f.what !== 'api kill -9') f.detectedMs = worst(f.perPort.map((p) => p.detected));
    f.recoveredMs = worst(f.perPort.map((p) => p.recovered));
  }
}

const delta = (t: number | undefined, from: number) => (t === undefined ? undefined : t - from);
const worst = (xs: Array<number | undefined>) => (xs.length && xs.every((x) => x !== undefined) ? Math.max(...(xs as number[])) : undefined);

/** The windows a non-2xx answer is excused in: from a fault's start until its recovery, plus `graceMs`. */
export function windowsOf(r: Record_, faults: Fault[], graceMs: number): Fault[] {
  return faults.filter((f) => r.end >= f.down - graceMs && r.start <= f.up + (f.recoveredMs ?? 60_000) + graceMs);
}

export function summaryTable(rows: Array<[string, string | number]>): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
}

export function countByClass(records: Record_[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[outcomeClass(r.outcome)] = (out[outcomeClass(r.outcome)] ?? 0) + 1;
  return out;
}
