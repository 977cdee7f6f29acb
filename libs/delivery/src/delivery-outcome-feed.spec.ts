import type { ConfigService } from '@nestjs/config';
import type { Env } from '@app/config';
import type { LiveEvent, LiveEventBus } from '@app/redis';
import { DeliveryOutcomeFeed, OUTCOME_FEED_MAX_WEBHOOKS } from './delivery-outcome-feed';

describe('DeliveryOutcomeFeed', () => {
  const config = { get: () => 250 } as unknown as ConfigService<Env, true>;
  const setup = () => {
    const events: LiveEvent[] = [];
    const bus = { publish: (e: LiveEvent) => events.push(e) } as unknown as LiveEventBus;
    return { feed: new DeliveryOutcomeFeed(config, bus), events };
  };

  it('coalesces a burst into one event per webhook and outcome per window', () => {
    jest.useFakeTimers();
    try {
      const { feed, events } = setup();
      for (let i = 0; i < 5000; i += 1) feed.record(i % 2 ? 'w1' : 'w2', i % 10 !== 0);
      expect(events).toHaveLength(0);
      jest.advanceTimersByTime(250);
      expect(events.map((e) => [e.type, e.webhook_id, e.count])).toEqual([
        ['delivery.succeeded', 'w2', 2000],
        ['delivery.failed', 'w2', 500],
        ['delivery.succeeded', 'w1', 2500],
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('bounds the webhooks counted per window; the rest are summed under webhook_id null', () => {
    const { feed, events } = setup();
    for (let i = 0; i < OUTCOME_FEED_MAX_WEBHOOKS + 10; i += 1) feed.record(`w${i}`, true);
    feed.flush();
    expect(events).toHaveLength(OUTCOME_FEED_MAX_WEBHOOKS + 1);
    expect(events.at(-1)).toMatchObject({ webhook_id: null, count: 10 });
  });
});
