import fc from 'fast-check';
import { EVENT_TYPES, SEVERITIES } from '@app/delivery';

/**
 * fast-check arbitraries for the /api/v1 fuzzer: per DTO field, mostly valid values and boundaries, plus hostile
 * ones (NUL, lone surrogates, huge and deep values, wrong types, out-of-range dates, hostile cursors).
 */

export interface FuzzRequest {
  /** The route it exercises, as `METHOD /api/v1/path/:id`. */
  route: string;
  method: string;
  /** Already percent-encoded path and query. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The same request on `path` with some characters percent-encoded (encoded-paths.ts), sent after it, when set. */
  encodedPath?: string;
}

/** The ids that exist when the run starts (webhooks, alerts, deliveries), so `:id` routes reach real rows. */
export interface FuzzFixtures {
  webhookIds: string[];
  alertIds: string[];
  deliveryIds: string[];
  tokens: { admin: string; readOnly: string; expired: string };
}

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD: raw surrogate bytes are in RAW_HOSTILE). */
export function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const nest = (depth: number, leaf: unknown, asArray: boolean): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i += 1) v = asArray ? [v] : { a: v };
  return v;
};

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  'x\uDBFFy',
  '\uFFFF',
  '\uFEFF',
  '\u202E',
  '\r\n',
  'é',
  '😀',
  "' OR 1=1 --",
  '"; DROP TABLE webhooks; --',
  '\\',
  '%00',
  '%',
  '${jndi:x}',
  '<script>',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '0x10',
  'null',
  'true',
  '[]',
  '{}',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 8 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 6 },
  { arbitrary: fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`), weight: 3 },
  { arbitrary: fc.integer({ min: 1000, max: 60_000 }).map((n) => 'x'.repeat(n)), weight: 1 },
  { arbitrary: fc.integer({ min: 500, max: 5000 }).map((n) => '\u0000'.repeat(n)), weight: 1 },
);

const isoDate = fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString());

export const hostileDate: fc.Arbitrary<string> = fc.oneof(
  isoDate,
  fc.constantFrom(
    '0000-01-01T00:00:00Z',
    '0001-01-01',
    '9999-12-31T23:59:59.999Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '+999999-01-01T00:00:00Z',
    '2026-02-30',
    '2026-13-01',
    '2026-00-10',
    '2026-01-01T25:00:00Z',
    '2026-01-01T00:00:00+25:00',
    '20260101',
    '2026-W01',
    '2026-001',
    '2026-01-01T00:00:00.123456789Z',
    '1970-01-01T00:00:00Z',
    '2026-01-01T00:00:00\u0000',
    'P1D',
    'now',
    'yesterday',
    '',
  ),
);

const json = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export const hostileCursor: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(isoDate, fc.uuid()).map(([d, id]) => json([d, id])),
  fc.tuple(hostileDate, fc.uuid()).map(([d, id]) => json([d, id])),
  fc.tuple(fc.uuid(), hostileString).map(([id, s]) => json([s, id])),
  fc.tuple(isoDate, hostileString).map(([d, s]) => json([d, s])),
  fc.jsonValue({ maxDepth: 3 }).map(json),
  fc.integer({ min: 100, max: 3000 }).map((d) => json(nest(d, 1, true))),
  fc.constantFrom('!!!', '====', 'e30', 'bnVsbA', json(['2026-01-01T00:00:00Z', '00000000-0000-0000-0000-000000000000\u0000'])),
  hostileString.map((s) => Buffer.from(s).toString('base64url')),
  hostileString,
);

/** Values of the wrong type for any field. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53 + 2, -(2 ** 63), 1e308, [], {}, [null], { $gt: '' }, ['a', 'b']), weight: 8 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 6 },
  { arbitrary: fc.integer({ min: 100, max: 4000 }).chain((d) => fc.boolean().map((a) => nest(d, 'x', a))), weight: 2 },
  { arbitrary: fc.integer({ min: 1000, max: 5000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']))), weight: 1 },
  { arbitrary: fc.integer({ min: 1000, max: 5000 }).map((n) => Array.from({ length: n }, () => 'v')), weight: 1 },
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(hostileString, wrongType, hostileDate);

/** Mostly the valid value, sometimes a hostile one. */
export function field<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: hostileValue, weight: 1 });
}

const labelKey = fc.oneof(fc.constantFrom('env', 'service', 'team', 'alertname', 'instance'), fc.string({ minLength: 1, maxLength: 20 }));
const stringMap = fc.oneof(
  { arbitrary: fc.dictionary(labelKey, fc.string({ maxLength: 40 }), { maxKeys: 6 }), weight: 16 },
  { arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }), weight: 3 },
  { arbitrary: fc.integer({ min: 1000, max: 5000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']))), weight: 1 },
);

/** A record where every key is optional, sometimes with an unknown key, sometimes replaced by a hostile body. */
function body(model: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const obj = fc.record(model, { requiredKeys: [] });
  return fc.oneof(
    { arbitrary: obj, weight: 12 },
    { arbitrary: fc.tuple(obj, fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue()).map(([o, k, v]) => ({ ...(o as object), [k]: v })), weight: 1 },
    { arbitrary: wrongType, weight: 1 },
    { arbitrary: hostileString, weight: 1 },
  );
}

const fingerprint = fc.oneof(fc.constantFrom('fp-a', 'fp-b', 'fp-c', 'fuzz:1', 'x'.repeat(128)), fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/));

export const createAlertBody = fc.oneof(
  {
    arbitrary: body({
      title: field(fc.string({ minLength: 1, maxLength: 500 })),
      severity: field(fc.constantFrom(...SEVERITIES)),
      source: field(fc.string({ minLength: 1, maxLength: 200 })),
      description: field(fc.string({ maxLength: 200 })),
      labels: field(stringMap),
      annotations: field(stringMap),
      fingerprint: field(fingerprint),
      starts_at: field(isoDate),
    }),
    weight: 3,
  },
  // the minimal valid alert, so creation (and dedup on the small fingerprint pool) is exercised often
  {
    arbitrary: fc.record({
      title: fc.string({ minLength: 1, maxLength: 30 }),
      severity: fc.constantFrom(...SEVERITIES),
      fingerprint: fc.constantFrom('fp-a', 'fp-b', 'fp-c'),
    }),
    weight: 1,
  },
);

const amAlert = body({
  status: field(fc.constantFrom('firing', 'resolved')),
  labels: field(stringMap),
  annotations: field(stringMap),
  startsAt: field(isoDate),
  endsAt: field(fc.oneof(isoDate, fc.constant('0001-01-01T00:00:00Z'))),
  generatorURL: field(fc.webUrl()),
  fingerprint: field(fc.stringMatching(/^[0-9a-f]{16}$/)),
});

export const alertmanagerBody = body({
  version: field(fc.constant('4')),
  groupKey: field(fc.string({ maxLength: 50 })),
  truncatedAlerts: field(fc.integer({ min: 0, max: 10 })),
  status: field(fc.constantFrom('firing', 'resolved')),
  receiver: field(fc.string({ maxLength: 30 })),
  groupLabels: field(stringMap),
  commonLabels: field(stringMap),
  commonAnnotations: field(stringMap),
  externalURL: field(fc.webUrl()),
  alerts: field(
    fc.oneof(
      { arbitrary: fc.array(amAlert, { maxLength: 5 }), weight: 8 },
      // just over ALERTMANAGER_MAX_ALERTS, with small alerts: the bound, not the generator, is under test
      {
        arbitrary: fc
          .integer({ min: 1000, max: 1002 })
          .map((n) => Array.from({ length: n }, (_, i) => ({ status: 'firing', labels: { alertname: 'bulk', i: String(i) } }))),
        weight: 1,
      },
    ),
  ),
});

/** POST /api/v1/cache/invalidate: nothing (all), a namespace, a namespace and a key, or neither valid. */
export const invalidateCacheBody = body({
  namespace: field(fc.constantFrom('webhook', 'webhooks-page', 'health', 'alert', 'alerts-page')),
  key: field(fc.oneof(fc.uuid(), fc.constantFrom('all', 'degraded', 'first:100'))),
});

export const acknowledgeBody = body({ by: field(fc.string({ minLength: 1, maxLength: 200 })), note: field(fc.string({ maxLength: 2000 })) });

/** Receivers the fuzzer may register: loopback (allow-listed in the run) or names that never resolve; delivery is off. */
const webhookUrl = fc.oneof(
  {
    arbitrary: fc.constantFrom('http://127.0.0.1:9/hook', 'http://localhost:9/x', 'https://hooks.example.invalid/in?x=1', 'http://u:p@127.0.0.1:9/'),
    weight: 6,
  },
  {
    arbitrary: fc.constantFrom(
      'http://10.0.0.1/',
      'http://[::127.0.0.1]/',
      'http://[::ffff:169.254.169.254]/',
      'http://169.254.169.254/latest',
      'http://0.0.0.0/',
      'ftp://127.0.0.1/',
      'javascript:alert(1)',
      'http://',
      'http://[::1',
      `http://${'a'.repeat(3000)}.invalid/`,
      'http://127.0.0.1:99999/',
      'http://127.0.0.1/%00',
      'http://exa\u0000mple.invalid/',
    ),
    weight: 2,
  },
);

const headerName = fc.oneof(
  fc.constantFrom('X-Team', 'X-Token', 'Authorization', 'Host', 'Content-Type', 'webhook-id', 'Connection'),
  fc.string({ minLength: 1, maxLength: 20 }),
);
const webhookHeaders = fc.oneof(
  { arbitrary: fc.dictionary(headerName, fc.string({ maxLength: 40 }), { maxKeys: 4 }), weight: 5 },
  { arbitrary: fc.dictionary(headerName, hostileValue, { maxKeys: 3 }), weight: 1 },
  { arbitrary: fc.integer({ min: 33, max: 100 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`X-H${i}`, 'v']))), weight: 1 },
);

const webhookFields = {
  name: field(fc.string({ minLength: 1, maxLength: 200 })),
  url: field(webhookUrl),
  description: field(fc.option(fc.string({ maxLength: 200 }))),
  event_types: field(fc.uniqueArray(fc.constantFrom(...EVENT_TYPES), { maxLength: EVENT_TYPES.length })),
  min_severity: field(fc.option(fc.constantFrom(...SEVERITIES))),
  headers: field(webhookHeaders),
  rate_limit_per_second: field(fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(0, -1, 10_001, 2.5, '5'))),
};

/**
 * New webhooks stay inactive or listen to test pings only: every active all-events webhook multiplies the
 * deliveries each fuzzed alert fans out to, and the run's database is shared with the other suites.
 */
export const createWebhookBody = body({
  ...webhookFields,
  is_active: fc.oneof({ arbitrary: fc.constant(false), weight: 8 }, { arbitrary: hostileValue, weight: 1 }),
}).map((b) =>
  typeof b === 'object' && b !== null && !Array.isArray(b) && (b as { is_active?: unknown }).is_active !== false ? { ...b, event_types: ['webhook.test'] } : b,
);

export const updateWebhookBody = body({ ...webhookFields, is_active: field(fc.boolean()) });

/** Windows mostly in the past hour, sometimes hostile. */
const recentInstant = fc.integer({ min: 1000, max: 3_600_000 }).map((ago) => new Date(Date.now() - ago).toISOString());
export const recoverWebhookBody = body({ since: field(fc.oneof(recentInstant, hostileDate)), until: field(fc.oneof(recentInstant, hostileDate)) });

/** A recovery id segment: unknown UUIDs (404) or not a UUID at all (400). */
export const recoveryIdSegment = fc.oneof(
  { arbitrary: fc.uuid(), weight: 4 },
  { arbitrary: fc.constantFrom('nope', '0', 'a%20b', 'ZZZZZZZZ-0000-4000-8000-000000000000'), weight: 1 },
);

type QueryModel = Record<string, fc.Arbitrary<unknown>>;

const limit = field(fc.oneof(fc.integer({ min: 1, max: 500 }), fc.constantFrom(0, 501, -1, 1.5, '10abc', '1e3', ' 5', '0x10', '')));
const cursor = field(hostileCursor);
export const pageQuery: QueryModel = { limit, cursor };
export const alertsQuery: QueryModel = {
  ...pageQuery,
  status: field(fc.constantFrom('firing', 'resolved')),
  severity: field(fc.constantFrom(...SEVERITIES)),
  acknowledged: field(fc.constantFrom('true', 'false', 'yes', '1')),
  since: field(hostileDate),
};
export const deliveriesQuery: QueryModel = {
  ...pageQuery,
  status: field(fc.constantFrom('pending', 'in_flight', 'succeeded', 'failed')),
  webhook_id: field(fc.uuid()),
  alert_id: field(fc.uuid()),
  event_type: field(fc.constantFrom(...EVENT_TYPES)),
  since: field(hostileDate),
};

/** Raw query-string pieces no encoder produces: broken escapes, encoded NUL and surrogate halves, overlong UTF-8. */
const RAW_HOSTILE_QUERY = [
  '%',
  '%zz',
  'a=%',
  'limit=%00',
  'limit=1%00',
  'cursor=%ED%A0%80',
  'since=%C0%80',
  'since=2026-01-01%00',
  '=&=&',
  '&&&',
  'a[b][c]=1',
  'limit=1&limit=2',
  'since[]=x',
];

function queryValue(v: unknown): string {
  if (typeof v === 'string') return pct(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return pct(JSON.stringify(v) ?? '');
}

export function query(model: QueryModel): fc.Arbitrary<string> {
  const entries = fc.record(model, { requiredKeys: [] }).map((q) =>
    Object.entries(q)
      .flatMap(([k, v]) => (Array.isArray(v) && v.length < 5 ? v.map((x) => `${k}=${queryValue(x)}`) : [`${k}=${queryValue(v)}`]))
      .join('&'),
  );
  return fc.oneof(
    { arbitrary: entries, weight: 10 },
    { arbitrary: fc.tuple(entries, fc.constantFrom(...RAW_HOSTILE_QUERY)).map(([q, raw]) => (q ? `${q}&${raw}` : raw)), weight: 1 },
    { arbitrary: fc.tuple(entries, fc.string({ minLength: 1, maxLength: 10 }), hostileString).map(([q, k, v]) => `${q}&${pct(k)}=${pct(v)}`), weight: 1 },
  );
}

/** `:id` segments: existing rows, random UUIDs, and hostile segments. */
export function idSegment(existing: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...existing), weight: 6 },
    { arbitrary: fc.uuid(), weight: 2 },
    { arbitrary: fc.constantFrom(...existing).map((id) => id.toUpperCase()), weight: 1 },
    {
      arbitrary: fc.oneof(
        hostileString.filter((s) => s.length > 0 && s.length < 3000).map(pct),
        fc.constantFrom(
          '%00',
          '%ED%A0%80',
          '%C0%AF',
          '..',
          '%2e%2e',
          '00000000-0000-0000-0000-000000000000',
          'ffffffff-ffff-ffff-ffff-ffffffffffff',
          'not-a-uuid',
        ),
        fc.uuid().map((u) => `${u}%00`),
      ),
      weight: 2,
    },
  );
}

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'application/json; charset=utf-16',
  'application/xml',
  'application/json;;',
  '*/*',
];
const RAW_BODIES = ['{', '{"a":1', '[', '"', 'null', '1', '\u0000', '{"title":"\\ud800"}', '{"__proto__":{"x":1}}', '{"a":1}{"b":2}', '\uFEFF{}', ' '];

export interface Encoded {
  headers: Record<string, string>;
  body?: string;
}

/** A JSON body as sent, sometimes with the wrong content type, broken JSON, or too large. */
export function encodedBody(value: fc.Arbitrary<unknown>): fc.Arbitrary<Encoded> {
  return fc.oneof(
    { arbitrary: value.map((v) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(v) ?? 'null' })), weight: 20 },
    {
      arbitrary: fc.tuple(value, fc.constantFrom(...CONTENT_TYPES)).map(([v, ct]) => ({ headers: { 'content-type': ct }, body: JSON.stringify(v) ?? '' })),
      weight: 1,
    },
    { arbitrary: fc.constantFrom(...RAW_BODIES).map((b) => ({ headers: { 'content-type': 'application/json' }, body: b })), weight: 1 },
    { arbitrary: fc.constant({ headers: { 'content-type': 'application/json' }, body: '' }), weight: 1 },
    { arbitrary: fc.constant({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x'.repeat(300_000) }) }), weight: 1 },
  );
}

/** GET and DELETE: no body (fetch cannot send one with GET). */
export const withoutBody: fc.Arbitrary<Encoded> = fc.constant<Encoded>({ headers: {} });

/** Bodiless POSTs: mostly none, sometimes an unexpected one. */
export const noBody: fc.Arbitrary<Encoded> = fc.oneof(
  { arbitrary: fc.constant<Encoded>({ headers: {} }), weight: 8 },
  { arbitrary: encodedBody(fc.oneof(acknowledgeBody, wrongType)), weight: 1 },
);

/** Authorization: mostly a valid admin token; sometimes read-only, expired, malformed or missing. */
export function auth(tokens: FuzzFixtures['tokens']): fc.Arbitrary<Record<string, string>> {
  return fc.oneof(
    { arbitrary: fc.constant({ authorization: `Bearer ${tokens.admin}` }), weight: 20 },
    {
      arbitrary: fc.constantFrom(tokens.readOnly, tokens.expired, 'garbage', `${tokens.admin}x`, 'a.b.c', '').map((t) => ({ authorization: `Bearer ${t}` })),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom<Record<string, string>>(
        {},
        { authorization: 'Basic dTpw' },
        { authorization: 'Bearer' },
        { authorization: `bearer  ${tokens.admin}  ` },
      ),
      weight: 1,
    },
  );
}

/** Extra request headers with hostile (but transmittable) values. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { arbitrary: fc.constant({}), weight: 10 },
  {
    arbitrary: fc.record(
      {
        'idempotency-key': fc.oneof(
          fc.string({ unit: 'grapheme-ascii', maxLength: 200 }).map((s) => s.replace(/[^\x20-\x7e]/g, '') || 'k'),
          fc.constant('k'.repeat(8000)),
        ),
        'x-request-id': fc.string({ unit: 'grapheme-ascii', maxLength: 300 }).map((s) => s.replace(/[^\x21-\x7e]/g, '') || 'r'),
        accept: fc.constantFrom('text/html', 'application/xml', '*/*', 'application/json;q=0'),
      },
      { requiredKeys: [] },
    ),
    weight: 2,
  },
);
