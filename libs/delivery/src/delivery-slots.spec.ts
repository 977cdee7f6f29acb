import { DeliverySlots } from './delivery-slots';
import { letTimePass } from '../../../test/support/wait-for';

describe('DeliverySlots', () => {
  const slots = (maxInFlight = 8, maxPerWebhook = 4) => new DeliverySlots({ maxInFlight, maxPerWebhook });

  it('counts requests in flight against DELIVERY_MAX_IN_FLIGHT and gives them back', () => {
    const s = slots(3);
    expect(s.free).toBe(3);
    s.acquire('a');
    s.acquire('b');
    s.acquire('b');
    expect(s.inFlight).toBe(3);
    expect(s.free).toBe(0);
    s.release('b');
    expect(s.free).toBe(1);
    expect([...s.busy]).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    s.release('a');
    s.release('b');
    expect(s.inFlight).toBe(0);
    expect(s.busy.size).toBe(0);
  });

  it('counts slots reserved by a claim in progress as taken, so concurrent claims cannot overshoot', () => {
    const s = slots(10);
    s.acquire('a');
    s.reserve(6);
    expect(s.contended).toBe(true);
    expect(s.free).toBe(3);
    s.reserve(3);
    expect(s.free).toBe(0);
    s.unreserve(6);
    s.unreserve(3);
    expect(s.contended).toBe(false);
    expect(s.free).toBe(9);
  });

  it('tracks each webhook against its cap and signals when a capped webhook is down to three quarters of it', () => {
    const s = slots(16, 4);
    const room = s.roomFreed.current;
    for (let i = 0; i < 4; i += 1) s.acquire('a');
    s.acquire('b');
    expect(s.anyWebhookAtCap()).toBe(true);
    expect(s.busy.get('a')).toBe(4);
    s.release('b');
    expect(s.roomFreed.current).toBe(room);
    s.release('a'); // 3 of 4 left: room for a claim again
    expect(s.anyWebhookAtCap()).toBe(false);
    expect(s.roomFreed.current).toBe(room + 1);
    s.release('a');
    expect(s.roomFreed.current).toBe(room + 1);
  });

  it('signals every freed slot and resolves drained() once nothing is in flight', async () => {
    const s = slots();
    s.acquire('a');
    s.acquire('a');
    const freed = s.slotFreed.current;
    let drained = false;
    const done = s.drained().then(() => (drained = true));
    s.release('a');
    expect(s.slotFreed.current).toBe(freed + 1);
    // Nothing to wait for: a slot is still held, so drained() must not resolve however long this stays so.
    await letTimePass(5, 'one slot still held: drained() stays pending');
    expect(drained).toBe(false);
    s.release('a');
    await done;
    expect(drained).toBe(true);
  });

  it('wakeAll wakes a waiter on each signal (shutdown)', async () => {
    const s = slots();
    const waits = [s.wake, s.slotFreed, s.roomFreed].map((w) => w.wait(w.current, 60_000));
    s.wakeAll();
    await Promise.all(waits);
  });

  it('a blocked (rate-limited) webhook is listed for the claim until its time is up, then the claim loops are woken', async () => {
    const s = slots();
    const woken = s.wake.current;
    s.block('paced', 30);
    s.block('paced', 40); // a second block replaces the first
    expect(s.blocked).toEqual(['paced']);
    await s.wake.wait(woken, 1000);
    expect(s.blocked).toEqual([]);
    expect(s.wake.current).toBe(woken + 1);
  });

  it('counts deliveries waiting for their send slot, and wakes the claim loops once half a claim has left', () => {
    const s = slots();
    for (let i = 0; i < 4; i += 1) s.startWaiting('paced');
    expect(s.waiting.get('paced')).toBe(4);
    expect(s.totalWaiting).toBe(4);
    const woken = s.wake.current;
    s.stopWaiting('paced', 4);
    expect(s.wake.current).toBe(woken);
    s.stopWaiting('paced', 4);
    expect(s.wake.current).toBe(woken + 1);
    s.stopWaiting('paced', 4);
    s.stopWaiting('paced', 4);
    expect(s.waiting.has('paced')).toBe(false);
    expect(s.totalWaiting).toBe(0);
  });
});
