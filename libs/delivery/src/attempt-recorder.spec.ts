import { Logger } from '@nestjs/common';
import { AttemptRecorder, COMPLETION_BATCH, type RecordedAttempt } from './attempt-recorder';
import type { AttemptOutcome, DeliveryQueue } from './delivery-queue';
import type { WebhookAutoDisable } from './webhook-auto-disable';
import type { DeliveryOutcomeFeed } from './delivery-outcome-feed';

const outcome = (id: string, over: Partial<AttemptOutcome> = {}): AttemptOutcome => ({
  id,
  leaseToken: `lease-${id}`,
  success: true,
  statusCode: 200,
  error: null,
  responseBody: 'ok',
  durationMs: 3,
  startedAt: new Date(),
  retryInMs: null,
  ...over,
});

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A repository stub that records every completion; by default each outcome's lease was still its own. */
function harness(complete?: (batch: AttemptOutcome[]) => Promise<Set<string>>) {
  const writes: AttemptOutcome[][] = [];
  const queue = {
    complete: jest.fn(async (batch: AttemptOutcome[]) => {
      writes.push(batch);
      return complete ? complete(batch) : new Set(batch.map((o) => o.id));
    }),
  };
  const seen: RecordedAttempt[][] = [];
  const autoDisable = { afterRecorded: jest.fn(async (a: RecordedAttempt[]) => void seen.push(a)) };
  const recorder = new AttemptRecorder(
    queue as unknown as DeliveryQueue,
    autoDisable as unknown as WebhookAutoDisable,
    { record: () => undefined } as unknown as DeliveryOutcomeFeed,
  );
  return { recorder, queue, writes, autoDisable, seen };
}

describe('AttemptRecorder', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.useRealTimers());

  it('batches: outcomes that finish while a write runs go out together in the next statement', async () => {
    const first = deferred<void>();
    let calls = 0;
    const h = harness(async (batch) => {
      calls += 1;
      if (calls === 1) await first.promise;
      return new Set(batch.map((o) => o.id));
    });
    h.recorder.record(outcome('a'), 'w1');
    for (const id of ['b', 'c', 'd']) h.recorder.record(outcome(id), 'w1');
    first.resolve();
    await h.recorder.drain();
    expect(h.writes.map((b) => b.map((o) => o.id))).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it(`writes at most ${COMPLETION_BATCH} outcomes per statement`, async () => {
    const h = harness();
    for (let i = 0; i < 1201; i += 1) h.recorder.record(outcome(`d${i}`), 'w1');
    await h.recorder.drain();
    expect(h.writes.map((b) => b.length)).toEqual([1, 500, 500, 200]);
    expect(h.writes.flat().map((o) => o.id)).toEqual(Array.from({ length: 1201 }, (_, i) => `d${i}`));
  });

  it('retries a failed write with the same batch, then hands the recorded outcomes on', async () => {
    jest.useFakeTimers();
    let calls = 0;
    const h = harness(async (batch) => {
      calls += 1;
      if (calls <= 2) throw new Error('connection terminated');
      return new Set(batch.map((o) => o.id));
    });
    h.recorder.record(outcome('a', { success: false, statusCode: 500 }), 'w1');
    const drained = h.recorder.drain();
    await jest.advanceTimersByTimeAsync(1000);
    await drained;
    expect(h.writes).toHaveLength(3);
    for (const b of h.writes) expect(b).toBe(h.writes[0]);
    expect(h.seen).toEqual([[{ outcome: h.writes[0][0], webhookId: 'w1' }]]);
  });

  it('gives a batch up after five failed writes (the reaper requeues it) and keeps going with the next', async () => {
    jest.useFakeTimers();
    let failing = true;
    const h = harness(async (batch) => {
      if (failing) throw new Error('database down');
      return new Set(batch.map((o) => o.id));
    });
    h.recorder.record(outcome('lost'), 'w1');
    await jest.advanceTimersByTimeAsync(5000);
    expect(h.writes).toHaveLength(5);
    expect(h.autoDisable.afterRecorded).not.toHaveBeenCalled();
    failing = false;
    h.recorder.record(outcome('next'), 'w1');
    await jest.advanceTimersByTimeAsync(10);
    await h.recorder.drain();
    expect(h.writes.map((b) => b.map((o) => o.id))).toEqual([['lost'], ['lost'], ['lost'], ['lost'], ['lost'], ['next']]);
  });

  it('fencing: each outcome carries its lease token, and one whose lease was lost has no effect after the write', async () => {
    // The repository records only outcomes whose lease token still matches; 'stale' was reclaimed by another worker.
    const h = harness(async (batch) => new Set(batch.filter((o) => o.id !== 'stale').map((o) => o.id)));
    h.recorder.record(outcome('stale', { success: false, statusCode: 410 }), 'w-stale');
    h.recorder.record(outcome('fresh', { success: false, statusCode: 503, retryInMs: 5000 }), 'w-fresh');
    await h.recorder.drain();
    expect(h.writes.flat().map((o) => [o.id, o.leaseToken])).toEqual([
      ['stale', 'lease-stale'],
      ['fresh', 'lease-fresh'],
    ]);
    expect(h.seen.flat().map((a) => [a.outcome.id, a.webhookId])).toEqual([['fresh', 'w-fresh']]);
  });
});
