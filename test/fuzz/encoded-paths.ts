import fc from 'fast-check';

/**
 * Encoded path variants for the fuzzer (issue 22): Fastify decodes `%XX` before routing, so `/api/v%31/alerts` and
 * `/%61pi/v1/alerts` are the route `/api/v1/alerts`, and must be limited and answered as it is.
 */

const HEX2 = /^[0-9A-Fa-f]{2}$/;

/**
 * The path with 1-6 of its path characters percent-encoded (their UTF-8 bytes, hex digits in random case): never `/`
 * (that would change the segments) nor a `%` (an escape already there stays as it is). The query is left alone.
 */
export function encodedPathVariant(path: string): fc.Arbitrary<string> {
  const q = path.indexOf('?');
  const head = q === -1 ? path : path.slice(0, q);
  const tail = q === -1 ? '' : path.slice(q);
  const positions: number[] = [];
  for (let i = 0; i < head.length; i += 1) {
    if (head[i] === '%') {
      if (HEX2.test(head.slice(i + 1, i + 3))) i += 2;
    } else if (head[i] !== '/') {
      positions.push(i);
    }
  }
  if (positions.length === 0) return fc.constant(path);
  return fc
    .tuple(
      fc.uniqueArray(fc.constantFrom(...positions), { minLength: 1, maxLength: Math.min(6, positions.length) }),
      fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    )
    .map(([chosen, lower]) => {
      const set = new Set(chosen);
      let n = 0;
      let out = '';
      for (let i = 0; i < head.length; i += 1) {
        if (!set.has(i)) {
          out += head[i];
          continue;
        }
        for (const b of Buffer.from(head[i], 'utf8')) {
          const hex = b.toString(16).padStart(2, '0');
          out += `%${lower[n++ % lower.length] ? hex.toLowerCase() : hex.toUpperCase()}`;
        }
      }
      return out + tail;
    });
}

/** What the comparison needs of one answer. */
export interface Answer {
  status: number;
  /** X-RateLimit-Limit was on the response: the rate-limit guard ran, so an /api/v1 route was matched. */
  limited: boolean;
}

/**
 * Why the answer to the encoded path differs from the plain one, or undefined when it does not. Compared:
 * - always: X-RateLimit-* present on one iff on the other (the same route was matched and counted);
 * - GET: the same status (a GET changes nothing, so the two see the same state; `recheck` re-sends the plain GET once
 *   when they differ, to tell a concurrent change — another worker deleting the webhook — from a real difference);
 * - other methods: the same status when the plain one was answered before the guard (body too large, not JSON, wrong
 *   media type: no state involved); after it, the first request's side effect may change the second's answer
 *   (an Idempotency-Key replay, a DELETE), so the status is not compared.
 */
export async function encodedMismatch(method: string, plain: Answer, encoded: Answer, recheck: () => Promise<Answer>): Promise<string | undefined> {
  if (plain.limited !== encoded.limited)
    return `X-RateLimit-* ${plain.limited ? 'present' : 'absent'} on the plain path, ${encoded.limited ? 'present' : 'absent'} on the encoded one`;
  if (plain.status === encoded.status) return undefined;
  if (method === 'GET') {
    const again = await recheck();
    return again.status === encoded.status
      ? undefined
      : `GET answered ${plain.status} (then ${again.status}) on the plain path, ${encoded.status} on the encoded one`;
  }
  return plain.limited ? undefined : `answered ${plain.status} before the rate-limit guard on the plain path, ${encoded.status} on the encoded one`;
}
