import type { Settled } from './group-committer';
import type { AlertInput, AlertView } from './alert.view';

/** Requests of one batch with the same fingerprint and the same body: written as one upsert item of `count` occurrences. */
export interface IntakeGroup {
  alert: AlertInput;
  count: number;
  /** Positions of the requests in the batch, ascending. */
  members: number[];
}

/** What one request of a batch gets: the alert as it would have been answered alone, and whether it created it. */
export interface IntakeResult {
  view: AlertView;
  inserted: boolean;
}

/** A group's outcome: the row its upsert returned (after adding `count`), or the error that refused it. */
export type GroupOutcome = { ok: true; view: AlertView; inserted: boolean } | { ok: false; error: unknown };

/**
 * Plans a batch of creates as rounds of upserts that give each request what one-by-one processing would. Requests
 * with the same fingerprint and body collapse into one item; a fingerprint's distinct bodies go into successive
 * rounds (a statement may not touch a row twice), in order of first appearance. Bodies matter even for a duplicate:
 * PostgreSQL checks every value it is sent (a NUL byte fails the request alone, deduplicated or not), and an insert
 * takes the first successful request's body. Usually every fingerprint has one body: one round.
 */
export function planIntakeRounds(inputs: AlertInput[]): IntakeGroup[][] {
  const byFingerprint = new Map<string, Map<string, IntakeGroup>>();
  inputs.forEach((alert, position) => {
    const bodies = byFingerprint.get(alert.fingerprint) ?? new Map<string, IntakeGroup>();
    byFingerprint.set(alert.fingerprint, bodies);
    const key = bodyKey(alert);
    const group = bodies.get(key);
    if (group) {
      group.count += 1;
      group.members.push(position);
    } else {
      bodies.set(key, { alert, count: 1, members: [position] });
    }
  });
  const rounds: IntakeGroup[][] = [];
  for (const bodies of byFingerprint.values()) {
    [...bodies.values()].forEach((group, i) => (rounds[i] ??= []).push(group));
  }
  return rounds;
}

/**
 * Each request's result from its group's outcome. Per fingerprint, the requests whose groups succeeded are numbered
 * in arrival order from the occurrences the fingerprint had before the batch: the first one created the alert if an
 * upsert inserted it, the later ones see the occurrence count they would have seen one by one.
 */
export function settleIntake(inputs: AlertInput[], rounds: IntakeGroup[][], outcomes: Map<IntakeGroup, GroupOutcome>): Array<Settled<IntakeResult>> {
  const results = new Array<Settled<IntakeResult>>(inputs.length);
  const perFingerprint = new Map<string, Array<{ group: IntakeGroup; outcome: GroupOutcome }>>();
  for (const round of rounds) {
    for (const group of round) {
      const outcome = outcomes.get(group) ?? { ok: false, error: new Error('intake: group was not written') };
      const own = perFingerprint.get(group.alert.fingerprint) ?? [];
      perFingerprint.set(group.alert.fingerprint, own);
      own.push({ group, outcome });
    }
  }
  for (const written of perFingerprint.values()) {
    // Rounds run in order, so the first successful one is the fingerprint's first write in this batch.
    const first = written.find((w) => w.outcome.ok);
    const firstOk = first?.outcome.ok ? first.outcome : undefined;
    const before = firstOk ? firstOk.view.occurrences - first!.group.count : 0;
    const succeeded: Array<{ position: number; view: AlertView }> = [];
    for (const { group, outcome } of written) {
      for (const position of group.members) {
        if (outcome.ok) succeeded.push({ position, view: outcome.view });
        else results[position] = { ok: false, error: outcome.error };
      }
    }
    succeeded.sort((a, b) => a.position - b.position);
    succeeded.forEach(({ position }, n) => {
      const inserted = n === 0 && firstOk!.inserted;
      // The alert as its creator stored it (no refresh: a duplicate's body does not change the row).
      const view = { ...firstOk!.view, occurrences: before + n + 1 };
      if (inserted) view.updated_at = view.created_at;
      results[position] = { ok: true, value: { view, inserted } };
    });
  }
  return results;
}

function bodyKey(a: AlertInput): string {
  return JSON.stringify([a.title, a.severity, a.source, a.description, a.labels, a.annotations, a.startsAt]);
}
