import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { LIVE_EVENT_MAX_BYTES, LIVE_EVENTS_CHANNEL, LIVE_OUTBOX_MAX, type LiveEvent, LiveEventBus } from './live-event-bus';

/** A Redis double: `publish` is recorded; `duplicate()` gives a subscriber that emits what a test pushes. */
function fakeRedis() {
  const published: Array<{ o: string; e?: LiveEvent; es?: LiveEvent[]; bytes: number }> = [];
  const subscriber = Object.assign(new EventEmitter(), { subscribe: jest.fn(async () => 1), disconnect: jest.fn() });
  const redis = {
    status: 'ready',
    options: {},
    publish: jest.fn(async (channel: string, text: string) => {
      expect(channel).toBe(LIVE_EVENTS_CHANNEL);
      published.push({ ...(JSON.parse(text) as { o: string }), bytes: text.length });
      return 1;
    }),
    duplicate: () => subscriber,
  };
  return { redis: redis as unknown as Redis, published, subscriber };
}

const nextTurn = () => new Promise((ok) => setImmediate(ok));

describe('LiveEventBus', () => {
  it('hands events to local listeners at once and publishes one turn of events as one message', async () => {
    const { redis, published } = fakeRedis();
    const bus = new LiveEventBus(redis);
    const seen: string[] = [];
    bus.listen((e) => seen.push(e.type));
    bus.publish({ type: 'alert.created', n: 1 });
    bus.publish({ type: 'alert.created', n: 2 });
    bus.publish({ type: 'alert.deduplicated', n: 3 });
    expect(seen).toEqual(['alert.created', 'alert.created', 'alert.deduplicated']);
    expect(published).toHaveLength(0);
    await nextTurn();
    expect(published).toHaveLength(1);
    expect(published[0].o).toBe(bus.origin);
    expect(published[0].es?.map((e) => e.n)).toEqual([1, 2, 3]);
  });

  it('sends a lone event in the single-event shape', async () => {
    const { redis, published } = fakeRedis();
    const bus = new LiveEventBus(redis);
    bus.publish({ type: 'alerts.bulk', created: 4 });
    await nextTurn();
    expect(published).toEqual([expect.objectContaining({ o: bus.origin, e: { type: 'alerts.bulk', created: 4 } })]);
    expect(published[0].es).toBeUndefined();
  });

  it('splits a turn into messages under the size bound and drops only an event over it', async () => {
    const { redis, published } = fakeRedis();
    const bus = new LiveEventBus(redis);
    const filler = 'x'.repeat(60 * 1024);
    for (let i = 0; i < 10; i += 1) bus.publish({ type: 'big', i, filler });
    bus.publish({ type: 'huge', filler: 'y'.repeat(LIVE_EVENT_MAX_BYTES) });
    await nextTurn();
    expect(published.length).toBeGreaterThanOrEqual(3);
    for (const m of published) expect(m.bytes).toBeLessThanOrEqual(LIVE_EVENT_MAX_BYTES);
    expect(published.flatMap((m) => m.es ?? [m.e!]).map((e) => e.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('flushes at once when the outbox is full, so a burst is not held', () => {
    const { redis, published } = fakeRedis();
    const bus = new LiveEventBus(redis);
    for (let i = 0; i < LIVE_OUTBOX_MAX; i += 1) bus.publish({ type: 'alert.created', i });
    expect(published).toHaveLength(1);
    expect(published[0].es).toHaveLength(LIVE_OUTBOX_MAX);
  });

  it('publishes nothing while Redis is not ready; local listeners still hear', async () => {
    const { redis, published } = fakeRedis();
    (redis as unknown as { status: string }).status = 'reconnecting';
    const bus = new LiveEventBus(redis);
    const seen: LiveEvent[] = [];
    bus.listen((e) => seen.push(e));
    bus.publish({ type: 'alert.created' });
    await nextTurn();
    expect(published).toHaveLength(0);
    expect(seen).toHaveLength(1);
  });

  it('delivers remote events in either shape, skips its own origin and malformed entries', () => {
    const { redis, subscriber } = fakeRedis();
    const bus = new LiveEventBus(redis);
    const seen: unknown[] = [];
    bus.listen((e) => seen.push(e.type));
    const message = (body: unknown) => subscriber.emit('message', LIVE_EVENTS_CHANNEL, JSON.stringify(body));
    message({ o: 'other', e: { type: 'a' } });
    message({ o: 'other', es: [{ type: 'b' }, { nope: 1 }, null, 'c', { type: 'd' }] });
    message({ o: bus.origin, es: [{ type: 'mine' }] });
    message({ o: 'other' });
    subscriber.emit('message', LIVE_EVENTS_CHANNEL, '{not json');
    expect(seen).toEqual(['a', 'b', 'd']);
  });
});
