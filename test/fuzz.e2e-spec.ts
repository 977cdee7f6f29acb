import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { apiClient, bootApi, migrateTestDatabase, token } from './support/domain';
import {
  acknowledgeBody,
  alertmanagerBody,
  alertsQuery,
  auth,
  createAlertBody,
  createWebhookBody,
  deliveriesQuery,
  encodedBody,
  extraHeaders,
  type FuzzFixtures,
  type FuzzRequest,
  idSegment,
  invalidateCacheBody,
  noBody,
  pageQuery,
  query,
  recoverWebhookBody,
  recoveryIdSegment,
  updateWebhookBody,
  withoutBody,
} from './fuzz/api-arbitraries';
import { encodedMismatch, encodedPathVariant } from './fuzz/encoded-paths';
import { letTimePass } from './support/wait-for';

/**
 * Property: no request to any /api/v1 route, valid or hostile, gets a 5xx or takes longer than 2 s; and a quarter of
 * them are sent again on an encoded path (`/api/v%31/alerts`, `/%61pi/v1/alerts`: random path characters
 * percent-encoded, hex in mixed case), which must be limited and answered like the plain path (encoded-paths.ts says
 * what is compared). Requests are
 * generated up front from one seed (printed; FUZZ_SEED=<n> replays the same sequence, FUZZ_REQUESTS=<n> changes the
 * count) and sent with bounded concurrency to the real app, PostgreSQL and Redis. In-process delivery is off:
 * nothing fuzzed is ever sent anywhere.
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5000);
const CONCURRENCY = 6;
const SLOW_MS = 2000;

interface Outcome {
  req: FuzzRequest;
  status: number;
  /** X-RateLimit-Limit was on the response. */
  limited: boolean;
  ms: number;
  text: string;
}

/** The app's error log lines (the 500's cause, keyed by request id in the line), captured from stdout. */
const serverErrors: string[] = [];
function causeOf(o: Outcome): string {
  const id = /"request_id":"([^"]+)"/.exec(o.text)?.[1];
  // The fuzzer sends its own X-Request-Id values too, so an id may repeat: the method must match as well.
  const line = id ? serverErrors.find((l) => l.includes(`request_id=${id} ${o.req.method} `)) : undefined;
  if (!line) return o.text;
  try {
    return String((JSON.parse(line) as { msg?: unknown }).msg).replace(/request_id=\S+ /, '');
  } catch {
    return line;
  }
}

/** Every `METHOD /api/v1/...` route the app registers, read from the controllers' metadata. */
function registeredRoutes(app: NestFastifyApplication): string[] {
  const routes: string[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const ctrl = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!ctrl) continue;
      const first = (v: unknown) => String((Array.isArray(v) ? v[0] : v) ?? '');
      const base = first(Reflect.getMetadata(PATH_METADATA, ctrl));
      for (const name of Object.getOwnPropertyNames(ctrl.prototype)) {
        const handler = (ctrl.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as unknown;
        if (method === undefined || path === undefined) continue;
        const full = ['/api', base, first(path)]
          .map((p) => p.replace(/^\/|\/$/g, ''))
          .filter(Boolean)
          .join('/');
        if (full.startsWith('api/v1/')) routes.push(`${RequestMethod[method]} /${full}`);
      }
    }
  }
  return routes.sort();
}

function requestArbitrary(f: FuzzFixtures): { routes: string[]; arb: fc.Arbitrary<FuzzRequest> } {
  const webhookId = idSegment(f.webhookIds);
  const alertId = idSegment(f.alertIds);
  const deliveryId = idSegment(f.deliveryIds);
  const none = fc.constant('');
  const table: Array<[string, fc.Arbitrary<string>, fc.Arbitrary<string>, fc.Arbitrary<{ headers: Record<string, string>; body?: string }>, number]> = [
    // route, :id segment, query, body, weight
    ['POST /api/v1/alerts', none, none, encodedBody(createAlertBody), 8],
    ['POST /api/v1/alerts/alertmanager', none, none, encodedBody(alertmanagerBody), 5],
    ['GET /api/v1/alerts', none, query(alertsQuery), withoutBody, 6],
    ['GET /api/v1/alerts/:id', alertId, none, withoutBody, 3],
    ['POST /api/v1/alerts/:id/acknowledge', alertId, none, encodedBody(acknowledgeBody), 4],
    ['POST /api/v1/alerts/:id/resolve', alertId, none, noBody, 3],
    ['POST /api/v1/webhooks', none, none, encodedBody(createWebhookBody), 5],
    ['GET /api/v1/webhooks', none, query(pageQuery), withoutBody, 4],
    ['GET /api/v1/webhooks/health', none, none, withoutBody, 1],
    ['GET /api/v1/webhooks/degraded', none, none, withoutBody, 1],
    ['GET /api/v1/webhooks/:id', webhookId, none, withoutBody, 2],
    ['PATCH /api/v1/webhooks/:id', webhookId, none, encodedBody(updateWebhookBody), 5],
    ['DELETE /api/v1/webhooks/:id', fc.oneof({ arbitrary: fc.uuid(), weight: 5 }, { arbitrary: webhookId, weight: 1 }), none, withoutBody, 2],
    ['POST /api/v1/webhooks/:id/rotate-secret', webhookId, none, noBody, 2],
    ['POST /api/v1/webhooks/:id/test', webhookId, none, noBody, 2],
    ['GET /api/v1/webhooks/:id/deliveries', webhookId, query(pageQuery), withoutBody, 3],
    ['POST /api/v1/webhooks/:id/recover', webhookId, none, encodedBody(recoverWebhookBody), 3],
    ['GET /api/v1/webhooks/:id/recoveries/:rid', webhookId, none, withoutBody, 2],
    ['GET /api/v1/deliveries', none, query(deliveriesQuery), withoutBody, 5],
    ['GET /api/v1/deliveries/:id', deliveryId, none, withoutBody, 2],
    ['POST /api/v1/deliveries/:id/retry', deliveryId, none, noBody, 2],
    ['GET /api/v1/cache/stats', none, none, withoutBody, 1],
    ['POST /api/v1/cache/warm', none, none, noBody, 1],
    ['POST /api/v1/cache/invalidate', none, none, encodedBody(invalidateCacheBody), 2],
    ['GET /api/v1/event-types', none, none, withoutBody, 1],
    ['GET /api/v1/dashboard/series', none, none, withoutBody, 1],
  ];
  const encodeOne = fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 });
  const arb = fc.oneof(
    ...table.map(([route, id, q, payload, weight]) => ({
      weight,
      arbitrary: fc
        .record({ id, rid: recoveryIdSegment, q, payload, auth: auth(f.tokens), extra: extraHeaders, encode: encodeOne })
        .map(({ id: seg, rid, q: qs, payload: p, auth: a, extra, encode }): FuzzRequest & { encode: boolean } => {
          const [method, pattern] = route.split(' ');
          return {
            route,
            method,
            path: pattern.replace(':id', seg).replace(':rid', rid) + (qs ? `?${qs}` : ''),
            headers: { ...extra, ...p.headers, ...a },
            body: p.body,
            encode,
          };
        })
        .chain(({ encode, ...req }) =>
          encode ? encodedPathVariant(req.path).map((encodedPath): FuzzRequest => ({ ...req, encodedPath })) : fc.constant<FuzzRequest>(req),
        ),
    })),
  );
  return { routes: table.map(([route]) => route).sort(), arb };
}

async function send(baseUrl: string, req: FuzzRequest, path = req.path): Promise<Outcome> {
  const started = performance.now();
  try {
    const res = await fetch(`${baseUrl}${path}`, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    return { req, status: res.status, limited: res.headers.has('x-ratelimit-limit'), ms: performance.now() - started, text };
  } catch (e) {
    // Every generated request is transmittable: a thrown fetch is the server dropping or hanging the connection.
    return { req, status: 0, limited: false, ms: performance.now() - started, text: String((e as Error).cause ?? e) };
  }
}

const clip = (s: string | undefined, n = 240) => (s === undefined ? '' : s.length > n ? `${s.slice(0, n)}...(${s.length} chars)` : s);

/** Failures grouped by route, status and message, each class with its count and one example to replay. */
function describeFailures(failures: Outcome[]): string {
  const classes = new Map<string, Outcome[]>();
  for (const o of failures) {
    // One class per route, status and error message with its values blanked (dates, quoted input, numbers).
    const message = causeOf(o)
      .split('\n')[0]
      .replace(/^\w+ \/\S*: /, '')
      .replace(/"[^"]*"/g, '"…"')
      .replace(/\d+/g, 'N');
    const kind = o.status >= 500 || o.status === 0 ? `${o.status} ${clip(message, 110)}` : 'slower than 2 s';
    const key = `${o.req.route} -> ${kind}`;
    classes.set(key, [...(classes.get(key) ?? []), o]);
  }
  return [...classes.entries()]
    .map(([key, os]) => {
      const ex = os[0];
      return `${key} x${os.length}\n    e.g. ${ex.req.method} ${clip(ex.req.path, 160)} ${JSON.stringify(ex.req.headers['content-type'] ?? '')} body=${clip(ex.req.body)}\n    -> ${Math.round(ex.ms)} ms ${clip(causeOf(ex).split('\n')[0], 300)}`;
    })
    .join('\n');
}

describe(`fuzz: every /api/v1 route, ${REQUESTS} requests, seed ${SEED}`, () => {
  let app: NestFastifyApplication;
  let baseUrl: string;
  let fixtures: FuzzFixtures;
  const startedAt = new Date();

  beforeAll(async () => {
    await migrateTestDatabase();
    // DELIVERY_CONCURRENCY=0: no in-process worker, so no fuzzed webhook is ever called.
    ({ app, url: baseUrl } = await bootApi({ DELIVERY_CONCURRENCY: '0', LOG_LEVEL: 'error' }));
    const call = apiClient(baseUrl);
    const webhookIds: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const w = await call('POST', '/api/v1/webhooks', { name: `fuzz-${i}`, url: 'http://127.0.0.1:9/hook', event_types: ['webhook.test'] });
      webhookIds.push(w.body.id);
    }
    const alertIds: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const a = await call('POST', '/api/v1/alerts', { title: `fuzz ${i}`, severity: 'high', fingerprint: `fuzz-fixture-${i}-${startedAt.getTime()}` });
      alertIds.push(a.body.id);
    }
    const deliveryIds: string[] = [];
    for (const id of webhookIds) deliveryIds.push((await call('POST', `/api/v1/webhooks/${id}/test`)).body.delivery_id);
    expect([webhookIds, alertIds, deliveryIds].flat().every((x) => typeof x === 'string')).toBe(true);
    fixtures = {
      webhookIds,
      alertIds,
      deliveryIds,
      tokens: { admin: token(['admin']), readOnly: token(['alerts:read', 'webhooks:read']), expired: token(['admin'], 'fuzz', -60) },
    };
  });

  afterAll(async () => {
    // The run's database is shared with the other suites: leave none of the fuzzer's webhooks (and so deliveries) behind.
    await app?.get(DataSource).query(`DELETE FROM webhooks WHERE created_at >= $1`, [startedAt]);
    await app?.close();
  });

  it('covers every registered /api/v1 route', () => {
    expect(requestArbitrary(fixtures).routes).toEqual(registeredRoutes(app));
  });

  it('answers every generated request without a 5xx, within 2 s', async () => {
    console.log(`fuzz seed ${SEED}: replay with FUZZ_SEED=${SEED} npx jest --config test/jest-e2e.json --runInBand test/fuzz.e2e-spec.ts`);
    const { arb } = requestArbitrary(fixtures);
    const requests = fc.sample(arb, { seed: SEED, numRuns: REQUESTS });
    // fc.sample blocks the event loop (10 s on a loaded machine), which the in-process server shares: its keep-alive
    // timers for the set-up's idle connections expire meanwhile. Let the loop close them before the first request, or
    // fetch reuses a socket as the server closes it and the request dies with ECONNRESET (seen with seed 1760370695).
    // Kept as a pause: the expiries are due already and only need loop turns, and there is no signal that the client's
    // pool has seen every close (waiting for zero server connections would wait out keep-alive on a fast machine).
    await letTimePass(500, 'the event loop closes the idle keep-alive connections whose timers expired during fc.sample');
    const write = process.stdout.write.bind(process.stdout);
    // In-process app: its log lines go to this process's stdout; the error lines say why a request got a 500.
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.includes('request_id=')) serverErrors.push(...text.split('\n').filter((l) => l.includes('request_id=')));
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
    const outcomes: Outcome[] = new Array(requests.length);
    const encodedOutcomes: Outcome[] = [];
    const mismatches: string[] = [];
    let next = 0;
    try {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < requests.length) {
            const i = next++;
            const req = requests[i];
            outcomes[i] = await send(baseUrl, req);
            if (req.encodedPath === undefined) continue;
            const encoded = await send(baseUrl, { ...req, path: req.encodedPath });
            encodedOutcomes.push(encoded);
            const why = await encodedMismatch(req.method, outcomes[i], encoded, () => send(baseUrl, req));
            if (why) mismatches.push(`${req.route}: ${why}\n    ${req.method} ${clip(req.path, 160)} vs ${clip(req.encodedPath, 200)}`);
          }
        }),
      );
    } finally {
      process.stdout.write = write;
    }
    const hits = new Map<string, number>();
    for (const o of outcomes) hits.set(o.req.route, (hits.get(o.req.route) ?? 0) + 1);
    const statuses = new Map<number, number>();
    for (const o of outcomes) statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
    const slowest = [...outcomes].sort((a, b) => b.ms - a.ms)[0];
    console.log(
      `fuzz seed ${SEED}: ${outcomes.length} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; ` +
        `slowest ${Math.round(slowest.ms)} ms (${slowest.req.route}); per route ${JSON.stringify(Object.fromEntries(hits))}`,
    );

    const encodedHits = new Map<string, number>();
    for (const o of encodedOutcomes) encodedHits.set(o.req.route, (encodedHits.get(o.req.route) ?? 0) + 1);
    console.log(`fuzz seed ${SEED}: ${encodedOutcomes.length} encoded variants; ${encodedOutcomes.filter((o) => o.limited).length} with X-RateLimit-*`);

    expect(outcomes.length).toBeGreaterThanOrEqual(REQUESTS);
    for (const route of registeredRoutes(app)) {
      expect([route, (hits.get(route) ?? 0) > 0, (encodedHits.get(route) ?? 0) > 0]).toEqual([route, true, true]);
    }
    const failures = [...outcomes, ...encodedOutcomes].filter((o) => o.status >= 500 || o.status === 0 || o.ms > SLOW_MS);
    const report: string[] = [];
    if (failures.length > 0) report.push(`${failures.length} of ${outcomes.length + encodedOutcomes.length} requests failed\n${describeFailures(failures)}`);
    if (mismatches.length > 0) report.push(`${mismatches.length} encoded paths answered unlike the plain ones\n${mismatches.slice(0, 20).join('\n')}`);
    if (report.length > 0) throw new Error(`fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED}): ${report.join('\n')}`);
  }, 300_000);
});
