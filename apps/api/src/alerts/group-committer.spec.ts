import { GroupCommitQueueFullError, GroupCommitter, GroupCommitTimeoutError, type Settled } from './group-committer';

/** A write that waits until the test releases it, recording each batch. */
function gatedWriter<R>(settle: (items: number[]) => Array<Settled<R>>) {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const write = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((release) => gates.push(release));
    return settle(items);
  };
  const releaseNext = async () => {
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, write, releaseNext };
}

const ok = (items: number[]) => items.map((i) => ({ ok: true as const, value: i * 10 }));

describe('GroupCommitter', () => {
  it('writes a lone item at once, in a batch of its own', async () => {
    const w = gatedWriter(ok);
    const committer = new GroupCommitter({ write: w.write, maxSize: 8, maxWaitMs: 0, maxQueued: 100 });
    const first = committer.submit(1);
    expect(w.batches).toEqual([[1]]);
    await w.releaseNext();
    await expect(first).resolves.toBe(10);
  });

  it('gathers the items arriving during a write into the next batch, in arrival order, bounded by maxSize', async () => {
    const w = gatedWriter(ok);
    const committer = new GroupCommitter({ write: w.write, maxSize: 3, maxWaitMs: 0, maxQueued: 100 });
    const all = [1, 2, 3, 4, 5, 6].map((i) => committer.submit(i));
    expect(w.batches).toEqual([[1]]);
    expect(committer.queued).toBe(5);
    await w.releaseNext();
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
    await w.releaseNext();
    expect(w.batches).toEqual([[1], [2, 3, 4], [5, 6]]);
    await w.releaseNext();
    await expect(Promise.all(all)).resolves.toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('settles nobody before their own batch is written', async () => {
    const w = gatedWriter(ok);
    const committer = new GroupCommitter({ write: w.write, maxSize: 8, maxWaitMs: 0, maxQueued: 100 });
    const settled: number[] = [];
    for (const i of [1, 2, 3]) void committer.submit(i).then((v) => settled.push(v));
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual([]);
    await w.releaseNext();
    expect(settled).toEqual([10]);
    await w.releaseNext();
    expect(settled).toEqual([10, 20, 30]);
  });

  it('gives each item its own result: one refused item fails alone', async () => {
    const w = gatedWriter((items) => items.map((i) => (i === 3 ? { ok: false as const, error: new Error('bad 3') } : { ok: true as const, value: i })));
    const committer = new GroupCommitter({ write: w.write, maxSize: 8, maxWaitMs: 0, maxQueued: 100 });
    const first = committer.submit(1);
    const rest = [2, 3, 4].map((i) => committer.submit(i).then(String, (e: Error) => e.message));
    await w.releaseNext();
    await w.releaseNext();
    await expect(first).resolves.toBe(1);
    await expect(Promise.all(rest)).resolves.toEqual(['2', 'bad 3', '4']);
  });

  it('fails every item of a batch whose write throws, and keeps serving the next batches', async () => {
    let fail = true;
    const committer = new GroupCommitter<number, number>({
      write: (items) => (fail ? Promise.reject(new Error('database down')) : Promise.resolve(ok(items))),
      maxSize: 8,
      maxWaitMs: 0,
      maxQueued: 100,
    });
    await expect(Promise.all([committer.submit(1), committer.submit(2)])).rejects.toThrow('database down');
    fail = false;
    await expect(committer.submit(3)).resolves.toBe(30);
  });

  it('refuses past maxQueued instead of growing, and accepts again once the queue drains', async () => {
    const w = gatedWriter(ok);
    const committer = new GroupCommitter({ write: w.write, maxSize: 2, maxWaitMs: 0, maxQueued: 2 });
    const accepted = [committer.submit(1), committer.submit(2), committer.submit(3)];
    await expect(committer.submit(4)).rejects.toBeInstanceOf(GroupCommitQueueFullError);
    await w.releaseNext();
    const late = committer.submit(5);
    await w.releaseNext();
    await w.releaseNext();
    await expect(Promise.all([...accepted, late])).resolves.toEqual([10, 20, 30, 50]);
  });

  it('with maxWaitMs, an idle committer waits that long for company (or until a batch is full)', async () => {
    jest.useFakeTimers();
    try {
      const batches: number[][] = [];
      const committer = new GroupCommitter<number, number>({
        write: (items) => (batches.push(items), Promise.resolve(ok(items))),
        maxSize: 3,
        maxWaitMs: 50,
        maxQueued: 100,
      });
      void committer.submit(1);
      void committer.submit(2);
      expect(batches).toEqual([]);
      jest.advanceTimersByTime(49);
      expect(batches).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(batches).toEqual([[1, 2]]);
      await Promise.resolve();
      await jest.runAllTimersAsync();
      [3, 4, 5].forEach((i) => void committer.submit(i));
      expect(batches).toEqual([
        [1, 2],
        [3, 4, 5],
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('a write that settles the wrong number of items fails the batch rather than leaving callers hanging', async () => {
    const committer = new GroupCommitter<number, number>({ write: () => Promise.resolve([]), maxSize: 8, maxWaitMs: 0, maxQueued: 8 });
    await expect(committer.submit(1)).rejects.toThrow('settled 0 of 1');
  });
  it('runs afterWrite outside the write slot: the next batch is written meanwhile, and callers settle only after it', async () => {
    const w = gatedWriter(ok);
    const after: Array<() => void> = [];
    const committer = new GroupCommitter<number, number>({
      write: w.write,
      maxSize: 8,
      maxWaitMs: 0,
      maxQueued: 100,
      afterWrite: () => new Promise<void>((done) => after.push(done)),
    });
    const settled: number[] = [];
    void committer.submit(1).then((v) => settled.push(v));
    void committer.submit(2).then((v) => settled.push(v));
    await w.releaseNext();
    // Batch [1] is written and in its afterWrite; batch [2] is already being written.
    expect(w.batches).toEqual([[1], [2]]);
    expect(after).toHaveLength(1);
    expect(settled).toEqual([]);
    after.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual([10]);
    await w.releaseNext();
    after.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual([10, 20]);
  });

  it('an afterWrite that throws fails its batch, and the committer keeps serving', async () => {
    let failAfter = true;
    const committer = new GroupCommitter<number, number>({
      write: (items) => Promise.resolve(ok(items)),
      maxSize: 8,
      maxWaitMs: 0,
      maxQueued: 100,
      afterWrite: () => (failAfter ? Promise.reject(new Error('cache drop failed')) : Promise.resolve()),
    });
    await expect(committer.submit(1)).rejects.toThrow('cache drop failed');
    failAfter = false;
    await expect(committer.submit(2)).resolves.toBe(20);
  });

  it('bounds each caller: one queued behind a hung write times out and is never written; the queue slot is freed', async () => {
    const w = gatedWriter(ok);
    const committer = new GroupCommitter({ write: w.write, maxSize: 8, maxWaitMs: 0, maxQueued: 2, resultTimeoutMs: 200 });
    const started = performance.now();
    const first = committer.submit(1);
    const second = committer.submit(2);
    const [a, b] = await Promise.allSettled([first, second]);
    const took = performance.now() - started;
    for (const r of [a, b]) expect(r).toMatchObject({ status: 'rejected', reason: expect.any(GroupCommitTimeoutError) });
    // The first was being written (it may yet commit), the second was still queued (it never will).
    expect(((a as PromiseRejectedResult).reason as GroupCommitTimeoutError).neverWritten).toBe(false);
    expect(((b as PromiseRejectedResult).reason as GroupCommitTimeoutError).neverWritten).toBe(true);
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(2000);
    expect(committer.queued).toBe(0);
    const third = committer.submit(3);
    const fourth = committer.submit(4);
    await w.releaseNext();
    // The timed-out 2 is skipped: the next batch holds only what is still waiting.
    expect(w.batches).toEqual([[1], [3, 4]]);
    await w.releaseNext();
    await expect(Promise.all([third, fourth])).resolves.toEqual([30, 40]);
  });
});
