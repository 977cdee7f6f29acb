/**
 * GCRA (generic cell rate algorithm) with reservations and no burst: each admitted request gets a slot time, slots
 * of one webhook are at least `intervalUs` apart, and a request may reserve a slot up to `maxWaitUs` ahead (it then
 * waits for it). Chosen over a token bucket of capacity = rate, which lets 2 x rate through across a window
 * boundary: here r + 1 slots span at least r x ceil(1e6 / r) >= 1 s, so no window of one second (a calendar second
 * included) holds more than r of them. The same arithmetic runs in Redis (SEND_RATE_LUA) and in process (fallback).
 */
/** The bound on rate_limit_per_second (the column's CHECK and the API's validation). */
export const MAX_RATE_LIMIT_PER_SECOND = 10_000;

export type GcraDecision = { admitted: true; slotUs: number; nextTatUs: number } | { admitted: false; retryInUs: number };

/** Microseconds between two slots: rate per second shared by `share` independent limiters, rounded up (never faster). */
export function slotIntervalUs(ratePerSecond: number, share = 1): number {
  return Math.ceil((1_000_000 * share) / ratePerSecond);
}

/** `tatUs`: the theoretical arrival time stored for the webhook (0 when none); all times in microseconds. */
export function gcraReserve(tatUs: number, nowUs: number, intervalUs: number, maxWaitUs: number): GcraDecision {
  const slotUs = Math.max(tatUs, nowUs);
  const waitUs = slotUs - nowUs;
  if (waitUs > maxWaitUs) return { admitted: false, retryInUs: waitUs - maxWaitUs };
  return { admitted: true, slotUs, nextTatUs: slotUs + intervalUs };
}

/**
 * gcraReserve in one atomic script on Redis's clock (TIME), shared by every process: KEYS[1] the webhook's TAT,
 * ARGV interval and max wait (µs). Returns {1, slot, wait} or {0, retryIn}. The key expires once its TAT has passed
 * (an absent key means "no slot taken recently", which is what an expired TAT means too).
 */
export const SEND_RATE_LUA = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local maxWait = tonumber(ARGV[2])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
local wait = slot - now
if wait > maxWait then return { 0, wait - maxWait } end
local nextTat = slot + interval
redis.call('SET', KEYS[1], string.format('%d', nextTat), 'PX', math.floor((nextTat - now) / 1000) + 1000)
return { 1, slot, wait }
`;
