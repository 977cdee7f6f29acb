import { gcraReserve, slotIntervalUs } from './send-rate-gcra';

/** Runs the limiter over request times (µs, ascending) and returns the slots admitted. */
function admit(requests: number[], rate: number, maxWaitUs: number, share = 1): number[] {
  let tat = 0;
  const slots: number[] = [];
  for (const now of requests) {
    const d = gcraReserve(tat, now, slotIntervalUs(rate, share), maxWaitUs);
    if (d.admitted) {
      slots.push(d.slotUs);
      tat = d.nextTatUs;
    }
  }
  return slots;
}

function maxPerCalendarSecond(slotsUs: number[]): number {
  const perSecond = new Map<number, number>();
  for (const s of slotsUs) perSecond.set(Math.floor(s / 1e6), (perSecond.get(Math.floor(s / 1e6)) ?? 0) + 1);
  return Math.max(0, ...perSecond.values());
}

describe('send-rate GCRA', () => {
  it('rounds the interval up, so slots are never closer than 1/rate (share: rate / share per limiter)', () => {
    expect(slotIntervalUs(5)).toBe(200_000);
    expect(slotIntervalUs(3)).toBe(333_334);
    expect(slotIntervalUs(10_000)).toBe(100);
    expect(slotIntervalUs(5, 2)).toBe(400_000);
  });

  it('admits at once when idle, reserves ahead up to the wait allowed, then refuses with the time until one fits', () => {
    const now = 1_000_000_000;
    const first = gcraReserve(0, now, 200_000, 1_000_000);
    expect(first).toEqual({ admitted: true, slotUs: now, nextTatUs: now + 200_000 });
    const ahead = gcraReserve(now + 1_000_000, now, 200_000, 1_000_000);
    expect(ahead).toEqual({ admitted: true, slotUs: now + 1_000_000, nextTatUs: now + 1_200_000 });
    expect(gcraReserve(now + 1_200_000, now, 200_000, 1_000_000)).toEqual({ admitted: false, retryInUs: 200_000 });
    expect(gcraReserve(now + 1, now, 200_000, 0)).toEqual({ admitted: false, retryInUs: 1 });
  });

  it('has no burst: a request storm after a long idle still gets evenly spaced slots', () => {
    const storm = Array.from({ length: 100 }, () => 5e12);
    const slots = admit(storm, 5, 1_000_000);
    expect(slots).toHaveLength(6); // now, +0.2 s ... +1.0 s: the 1 s wait allowed
    for (let i = 1; i < slots.length; i += 1) expect(slots[i] - slots[i - 1]).toBe(200_000);
  });

  it.each([1, 3, 5, 7, 100, 10_000])('never puts more than %i slots in one calendar second, whatever the request times', (rate) => {
    // Random request times: bursts, gaps and times right at second boundaries.
    let seed = rate;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const requests: number[] = [];
    let t = 7e12 - 3;
    for (let i = 0; i < 20_000; i += 1) {
      t += rand() < 0.3 ? 0 : Math.floor(rand() * (2e6 / rate));
      requests.push(t);
    }
    const slots = admit(requests, rate, 1_000_000);
    expect(slots.length).toBeGreaterThan(100);
    expect(maxPerCalendarSecond(slots)).toBeLessThanOrEqual(rate);
    // And it is not slower than asked: a busy second gets the full rate.
    expect(maxPerCalendarSecond(slots)).toBe(rate);
  });

  it('a token bucket of capacity = rate would let 2 x rate through across a boundary; this does not', () => {
    // 5 requests just before a second boundary and 5 just after, after a long idle.
    const requests = [...Array.from({ length: 5 }, () => 9_999_999), ...Array.from({ length: 5 }, () => 10_000_001)];
    const slots = admit(requests, 5, 0);
    const window = slots.filter((s) => s >= 9_000_000 && s < 11_000_000);
    expect(window.length).toBeLessThanOrEqual(2);
  });

  it('the fallback share: two limiters at rate / 2 each stay within the rate together', () => {
    const requests = Array.from({ length: 5000 }, (_, i) => 3e12 + i * 1000);
    const a = admit(requests, 6, 1_000_000, 2);
    const b = admit(
      requests.map((r) => r + 123_457),
      6,
      1_000_000,
      2,
    );
    expect(maxPerCalendarSecond(a)).toBe(3);
    expect(maxPerCalendarSecond([...a, ...b])).toBeLessThanOrEqual(6);
  });
});
