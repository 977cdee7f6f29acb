import { randomBytes } from 'node:crypto';
import { apiClient, eventually, Receiver } from './support/domain';
import { e2e, TEST_SECRET_KEY } from './support/e2e-env';
import { ApiProcess, runCli } from './support/processes';
import { freePort } from './support/services';

/**
 * CONTRACT §6 with sentinels: a distinct secret in every place a client can put a credential (query parameters
 * under many names, credential-like headers, a webhook URL's userinfo and query, webhook custom headers), sent to the
 * built API at the most verbose log level. None may appear in any line it prints, nor in any later read of the
 * webhook or its deliveries. None of the sentinels is registered with the masker: only the allow-lists keep them out.
 */
describe('no credential reaches a log line or a read-back (built API, sentinels)', () => {
  const run = randomBytes(4).toString('hex');
  /** sentinel -> where it was put, so a failure names the hole. */
  const placed = new Map<string, string>();
  const sentinel = (where: string): string => {
    const value = `Snt${run}x${placed.size}Q`;
    placed.set(value, where);
    return value;
  };
  const readBacks: string[] = [];
  let api: ApiProcess;
  let receiver: Receiver;
  let call: ReturnType<typeof apiClient>;

  const QUERY_NAMES = [
    'token',
    'access_token',
    'password',
    'jwt',
    'bearer',
    'authorization',
    'id_token',
    'refresh_token',
    'api_key',
    'apikey',
    'key',
    'secret',
    'client_secret',
    'code',
    'sig',
    'signature',
    'session',
    'auth',
    'private_token',
    'X-Api-Key',
  ];
  const HEADER_NAMES = [
    'Proxy-Authorization',
    'X-Auth-Token',
    'X-Api-Key',
    'Api-Key',
    'X-Access-Token',
    'X-Amz-Security-Token',
    'X-Csrf-Token',
    'X-Forwarded-Authorization',
    'Token',
    'X-Session-Id',
    'Sec-WebSocket-Protocol',
    'Cookie',
  ];

  beforeAll(async () => {
    const raw = {
      CI_STRICT: '1',
      DATABASE_URL: e2e.databaseUrl,
      REDIS_URL: e2e.redisUrl,
      SECRET_KEY: TEST_SECRET_KEY,
      LOG_LEVEL: 'trace',
      SHUTDOWN_DELAY_MS: '0',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
      WEBHOOK_RETRY_SCHEDULE: '0',
      DELIVERY_POLL_INTERVAL_MS: '200',
      // Hundreds of requests with one token: the limiter runs, but must not refuse them.
      RATE_LIMIT_LIMIT: '1000000',
      RATE_LIMIT_INTAKE_LIMIT: '1000000',
    };
    expect((await runCli(['migrate', 'up'], raw)).code).toBe(0);
    receiver = await Receiver.start();
    api = ApiProcess.spawn(raw, await freePort());
    await api.waitListening();
    call = apiClient(api.baseUrl);
  });

  afterAll(async () => {
    await api?.stop();
    await receiver?.close();
  });

  it('sends a sentinel in every credential-shaped place of a request', async () => {
    const paths = ['/api/v1/alerts', '/api/v1/webhooks', '/api/v1/deliveries', '/api/v1/ws/dashboard', '/api/no-such-route', '/dashboard'];
    for (const path of paths) {
      for (const name of QUERY_NAMES) {
        const q = `${encodeURIComponent(name)}=${sentinel(`query ?${name}= on ${path}`)}&limit=5`;
        await call('GET', `${path}?${q}`);
        // unauthenticated and invalid requests take other paths through the app (guard, pipe, filter)
        await apiClient(api.baseUrl, null)('GET', `${path}?${name}=${sentinel(`query ?${name}= on ${path}, no token`)}`);
        await call('GET', `${path}?limit=not-a-number&${name}=${sentinel(`query ?${name}= on ${path}, bad limit`)}`);
      }
      await call('GET', `${path}?${sentinel(`bare query key on ${path}`)}`);
      await call('GET', `${path}?x=1#${sentinel(`fragment on ${path}`)}`);
      for (const header of HEADER_NAMES) {
        await call('GET', path, undefined, { [header]: sentinel(`header ${header} on ${path}`) });
      }
      await apiClient(api.baseUrl, null)('GET', path, undefined, { authorization: `Bearer ${sentinel(`bad bearer on ${path}`)}` });
      const basic = Buffer.from(`u:${sentinel(`basic auth on ${path}`)}`).toString('base64');
      placed.set(basic, `basic auth (base64) on ${path}`);
      await apiClient(api.baseUrl, null)('GET', path, undefined, { authorization: `Basic ${basic}` });
    }
    await call('POST', '/api/v1/alerts?jwt=' + sentinel('query on a POST'), { title: 'sentinel probe', severity: 'low' });
  });

  it('accepts a webhook with credentials in its URL and custom headers, delivers them, and never reads them back', async () => {
    const userinfo = sentinel('webhook URL password');
    const tokenQ = sentinel('webhook URL ?token=');
    const headers = {
      Authorization: `Bearer ${sentinel('webhook header Authorization')}`,
      'X-Auth-Token': sentinel('webhook header X-Auth-Token'),
      'X-Api-Key': sentinel('webhook header X-Api-Key'),
      'X-Hub-Secret': sentinel('webhook header X-Hub-Secret'),
    };
    const created = await call('POST', '/api/v1/webhooks', {
      name: 'sentinel',
      url: `http://hook-user:${userinfo}@127.0.0.1:${receiver.port}/hook?token=${tokenQ}`,
      event_types: ['webhook.test'],
      headers,
    });
    expect(created.status).toBe(201);
    readBacks.push(created.text);
    const id = created.body.id as string;

    const ping = await call('POST', `/api/v1/webhooks/${id}/test`);
    expect(ping.status).toBe(202);
    await eventually(() => receiver.received.length > 0, 10_000, 'the test delivery');
    // The receiver is meant to get the credentials: proof that they were stored and used, not dropped.
    expect(receiver.received[0].headers['x-auth-token']).toBe(headers['X-Auth-Token']);
    expect(receiver.received[0].headers.authorization).toBe(headers.Authorization);

    // A second webhook that fails (nothing listens), so error paths of the worker log too.
    const closedPort = await freePort();
    const failing = await call('POST', '/api/v1/webhooks', {
      name: 'sentinel-failing',
      url: `http://u:${sentinel('failing webhook URL password')}@127.0.0.1:${closedPort}/x?access_token=${sentinel('failing webhook ?access_token=')}`,
      event_types: ['webhook.test'],
      headers: { 'X-Auth-Token': sentinel('failing webhook header') },
    });
    expect(failing.status).toBe(201);
    readBacks.push(failing.text);
    const failedPing = await call('POST', `/api/v1/webhooks/${failing.body.id}/test`);
    await eventually(
      async () => (await call('GET', `/api/v1/deliveries/${failedPing.body.delivery_id}`)).body.status === 'failed',
      10_000,
      'the failed delivery',
    );

    const patched = await call('PATCH', `/api/v1/webhooks/${id}`, {
      url: `http://hook-user:${sentinel('PATCHed webhook URL password')}@127.0.0.1:${receiver.port}/hook`,
      headers: { 'X-Auth-Token': sentinel('PATCHed webhook header') },
    });
    expect(patched.status).toBe(200);
    readBacks.push(patched.text);

    for (const path of [
      `/api/v1/webhooks/${id}`,
      `/api/v1/webhooks/${failing.body.id}`,
      '/api/v1/webhooks?limit=500',
      '/api/v1/webhooks/health',
      '/api/v1/webhooks/degraded',
      `/api/v1/webhooks/${id}/deliveries`,
      `/api/v1/webhooks/${failing.body.id}/deliveries`,
      `/api/v1/deliveries?webhook_id=${id}`,
      `/api/v1/deliveries/${ping.body.delivery_id}`,
      `/api/v1/deliveries/${failedPing.body.delivery_id}`,
    ]) {
      const r = await call('GET', path);
      expect(r.status).toBe(200);
      readBacks.push(r.text);
    }
    for (const w of [id, failing.body.id as string]) expect((await call('DELETE', `/api/v1/webhooks/${w}`)).status).toBe(204);
  });

  it('prints none of the sentinels, raw or encoded, in any log line or read-back', async () => {
    // The request log line of the last request proves the requests above were logged at all.
    await eventually(
      () => /"url":"\/api\/v1\/deliveries\/[^"]+".*request completed|request completed.*"url":"\/api\/v1\/deliveries\//.test(api.stdout),
      5000,
      'request log lines',
    );
    await api.stop();
    const lines = api.output.split('\n');
    expect(lines.filter((l) => l.includes('request completed')).length).toBeGreaterThan(QUERY_NAMES.length * 6 * 3);
    const leaks: string[] = [];
    for (const [value, where] of placed) {
      const forms = [value, encodeURIComponent(value)];
      const line = lines.find((l) => forms.some((f) => l.includes(f)));
      if (line) leaks.push(`${where} -> log: ${line.slice(0, 300)}`);
      const back = readBacks.find((b) => b.includes(value));
      if (back) leaks.push(`${where} -> read-back: ${back.slice(0, 300)}`);
    }
    expect(leaks).toEqual([]);
    // masked, not dropped: the keys are still there for whoever reads the log
    expect(api.stdout).toMatch(/"url":"\/api\/v1\/alerts\?jwt=\*\*\*&limit=5"/);
  });
});
