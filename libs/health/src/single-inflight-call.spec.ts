import { SingleInflightCall } from './single-inflight-call';

describe('SingleInflightCall', () => {
  it('answers within the deadline when the dependency never answers', async () => {
    const call = new SingleInflightCall<string>('hung');
    const t0 = performance.now();
    const r = await call.run(() => new Promise<string>(() => undefined), 100);
    const elapsed = performance.now() - t0;
    expect(r).toMatchObject({ ok: false, timedOut: true, error: 'timed out after 100 ms' });
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(300);
  });

  it('keeps at most one underlying call in flight: a still-pending call is waited on again, not duplicated', async () => {
    const call = new SingleInflightCall<string>('hung');
    let release!: (v: string) => void;
    const start = jest.fn(() => new Promise<string>((ok) => (release = ok)));
    for (let i = 0; i < 5; i += 1) {
      const r = await call.run(start, 20);
      expect(r).toMatchObject({ ok: false, timedOut: true });
    }
    expect(start).toHaveBeenCalledTimes(1);
    expect(call.pending).toBe(true);
    release('PONG');
    await new Promise((r) => setImmediate(r));
    expect(call.pending).toBe(false);
    const fresh = await call.run(async () => 'again', 20);
    expect(fresh).toMatchObject({ ok: true, value: 'again' });
    expect(call.started).toBe(2);
  });

  it('shares one call between concurrent callers', async () => {
    const call = new SingleInflightCall<number>('db');
    const start = jest.fn(() => new Promise<number>((ok) => setTimeout(() => ok(1), 10)));
    const results = await Promise.all(Array.from({ length: 20 }, () => call.run(start, 1000)));
    expect(start).toHaveBeenCalledTimes(1);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('reports failures with masked text, including synchronous throws', async () => {
    const call = new SingleInflightCall<never>('redis');
    const r = await call.run(() => Promise.reject(new Error('connect ECONNREFUSED redis://:hunter2-secret@10.0.0.1:6379/0')), 100);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.timedOut).toBe(false);
      expect(r.error).not.toContain('hunter2-secret');
      expect(r.error).toContain('redis://:***@10.0.0.1:6379/0');
    }
    const sync = await call.run(() => {
      throw new Error('boom');
    }, 100);
    expect(sync).toMatchObject({ ok: false, error: 'boom' });
  });
});
