import { DeliveryClaimLoop } from './delivery-claim-loop';
import type { DeliveryDispatcher } from './delivery-dispatcher';
import type { ClaimedDelivery, DeliveryQueue } from './delivery-queue';
import { DeliverySlots } from './delivery-slots';
import { letTimePass, waitFor } from '../../../test/support/wait-for';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const delivery = (n: number, webhookId = 'w1'): ClaimedDelivery => ({
  id: `d${n}`,
  webhook_id: webhookId,
  event_type: 'webhook.test',
  payload: '{}',
  created_at: new Date(),
  attempts: 1,
  retry_base: 0,
  lease_token: `t${n}`,
  url: 'http://receiver.test/hook',
  headers: {},
  secret: 'whsec_x',
  previous_secret: null,
  previous_secret_expires_at: null,
  rate_limit_per_second: null,
});

interface Harness {
  loop: DeliveryClaimLoop;
  slots: DeliverySlots;
  claims: Array<{ limit: number; leaseMs: number; cap: number; busy: Map<string, number> }>;
  /** Deliveries handed to the dispatcher, still holding their slot until `finish`ed. */
  sending: ClaimedDelivery[];
  finish: (n: number) => void;
}

function harness(
  settings: { loops: number; maxInFlight: number; batchSize: number; minClaim: number },
  claim: (limit: number) => Promise<ClaimedDelivery[]>,
): Harness {
  const full = { ...settings, pollMs: 50, leaseMs: 30_000, maxPerWebhook: settings.maxInFlight };
  const slots = new DeliverySlots(full);
  const claims: Harness['claims'] = [];
  const sending: ClaimedDelivery[] = [];
  const queue = {
    claim: (limit: number, leaseMs: number, cap: number, busy: ReadonlyMap<string, number>) => {
      claims.push({ limit, leaseMs, cap, busy: new Map(busy) });
      return claim(limit);
    },
  } as unknown as DeliveryQueue;
  const dispatcher = {
    dispatch: (d: ClaimedDelivery) => {
      slots.acquire(d.webhook_id);
      sending.push(d);
    },
  } as unknown as DeliveryDispatcher;
  const finish = (n: number) => {
    for (const d of sending.splice(0, n)) slots.release(d.webhook_id);
  };
  return { loop: new DeliveryClaimLoop(full, slots, queue, dispatcher), slots, claims, sending, finish };
}

describe('DeliveryClaimLoop', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    h?.finish(Infinity);
    await h?.loop.stop();
    h = undefined;
  });

  it('never has more in flight plus being claimed than DELIVERY_MAX_IN_FLIGHT, across loops', async () => {
    let backlog = 200;
    let worst = 0;
    let claiming = 0;
    h = harness({ loops: 3, maxInFlight: 10, batchSize: 10, minClaim: 1 }, async (limit) => {
      claiming += limit;
      worst = Math.max(worst, h!.slots.inFlight + claiming);
      await sleep(1 + Math.random() * 3);
      claiming -= limit;
      const n = Math.min(limit, backlog);
      backlog -= n;
      return Array.from({ length: n }, (_, i) => delivery(backlog + i));
    });
    h.loop.start();
    let sent = 0;
    while (sent < 200) {
      await sleep(2);
      const n = Math.ceil(h.sending.length / 2);
      sent += n;
      h.finish(n);
    }
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(10);
    expect(h.claims.length).toBeGreaterThan(1);
    for (const c of h.claims) expect(c.limit).toBeLessThanOrEqual(10);
  });

  it('claims only the free slots, and while saturated waits for a quarter of the window before claiming again', async () => {
    const queued = Array.from({ length: 100 }, (_, i) => delivery(i));
    h = harness({ loops: 1, maxInFlight: 8, batchSize: 50, minClaim: 2 }, async (limit) => queued.splice(0, limit));
    h.loop.start();
    await waitFor(() => h!.sending.length === 8, { timeoutMs: 2000, intervalMs: 2, what: 'the first claim sent' });
    expect(h.claims.map((c) => c.limit)).toEqual([8]);
    expect(h.sending).toHaveLength(8);
    h.finish(1);
    await letTimePass(10, 'one slot free: the loop must not claim for it');
    expect(h.claims).toHaveLength(1); // one free slot is less than minClaim: no query for it
    h.finish(1);
    await waitFor(() => h!.claims.length >= 2 && h!.sending.length === 8, { timeoutMs: 2000, intervalMs: 2, what: 'the claim for two free slots' });
    expect(h.claims.map((c) => c.limit)).toEqual([8, 2]);
    expect(h.sending).toHaveLength(8);
  });

  it("passes what is in flight per webhook, so the claim respects each webhook's cap", async () => {
    let first = true;
    h = harness({ loops: 1, maxInFlight: 8, batchSize: 8, minClaim: 1 }, async () => {
      if (!first) return [];
      first = false;
      return [delivery(1, 'a'), delivery(2, 'a'), delivery(3, 'b')];
    });
    h.loop.start();
    await waitFor(() => h!.claims.length >= 2, { timeoutMs: 2000, intervalMs: 2, what: 'a second claim' });
    expect(h.claims.length).toBeGreaterThanOrEqual(2);
    expect(h.claims[0]).toMatchObject({ limit: 8, leaseMs: 30_000, cap: 8, busy: new Map() });
    expect(h.claims[1]).toMatchObject({
      limit: 5,
      busy: new Map([
        ['a', 2],
        ['b', 1],
      ]),
    });
  });

  it('keeps claiming after a failed claim, and stop() returns once the loops have', async () => {
    let calls = 0;
    h = harness({ loops: 2, maxInFlight: 4, batchSize: 4, minClaim: 1 }, async () => {
      calls += 1;
      if (calls <= 2) throw new Error('connection refused');
      return [];
    });
    h.loop.start();
    await waitFor(() => calls > 2, { timeoutMs: 5000, intervalMs: 5, what: 'a claim after the two failed ones' });
    expect(calls).toBeGreaterThan(2);
    await h.loop.stop();
    const after = calls;
    await letTimePass(120, 'after stop(): a loop still running would claim again meanwhile');
    expect(calls).toBe(after);
  });
});
