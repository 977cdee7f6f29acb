import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { createScratchDatabase } from './support/e2e-env';
import { apiClient, bootApi, migrateTestDatabase, Receiver } from './support/domain';

/**
 * Label matchers per webhook (issue 25), through the REST API of two replicas on one database: validation, the
 * canonical form, which webhooks get deliveries for plain and Alertmanager alerts, the PATCH as the boundary across
 * replicas, and the Alertmanager fan-out bound counting with matchers.
 */
describe('webhook label matchers (e2e, two replicas)', () => {
  const apps: NestFastifyApplication[] = [];
  let a: ReturnType<typeof apiClient>;
  let b: ReturnType<typeof apiClient>;
  let receiver: Receiver;
  let db: Client;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  const ids: string[] = [];
  const tag = `m${Date.now()}`;

  beforeAll(async () => {
    // A database of its own: the fan-out bound below counts every webhook in it.
    scratch = await createScratchDatabase();
    await migrateTestDatabase(scratch.url);
    db = new Client({ connectionString: scratch.url });
    await db.connect();
    receiver = await Receiver.start();
    const one = await bootApi({}, scratch.url);
    // Replica B bounds an Alertmanager payload at 3 deliveries (the bound counts with matchers).
    const two = await bootApi({ ALERTMANAGER_MAX_DELIVERIES: '3' }, scratch.url);
    apps.push(one.app, two.app);
    a = apiClient(one.url);
    b = apiClient(two.url);
  });

  afterAll(async () => {
    for (const id of ids) await a('DELETE', `/api/v1/webhooks/${id}`);
    for (const app of apps) await app.close();
    await receiver?.close();
    await db?.end();
    await scratch?.drop();
  });

  const webhook = async (name: string, matchers?: unknown[]) => {
    const r = await a('POST', '/api/v1/webhooks', { name: `${tag}-${name}`, url: receiver.url, event_types: ['alert.created'], ...(matchers && { matchers }) });
    expect(r.status).toBe(201);
    ids.push(r.body.id);
    return r.body as { id: string; matchers: string[] };
  };

  /** Names (without the tag) of this suite's webhooks that got a delivery for alerts whose `run` label is `run`. */
  const receiversOf = async (run: string): Promise<string[]> => {
    const { rows } = await db.query<{ name: string }>(
      `SELECT w.name FROM deliveries d JOIN alerts al ON al.id = d.alert_id JOIN webhooks w ON w.id = d.webhook_id
       WHERE al.labels->>'run' = $1 AND w.name LIKE $2 ORDER BY 1`,
      [run, `${tag}-%`],
    );
    return rows.map((r) => r.name.slice(tag.length + 1));
  };

  it('refuses a bad matcher with 400 naming its index and why; bounds the count', async () => {
    const bad = await a('POST', '/api/v1/webhooks', { name: `${tag}-bad`, url: receiver.url, matchers: ['team="db"', 'env=~"(prod"'] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(
      /matchers.*matcher 1 .*env=~.*invalid regular expression \(RE2 syntax\): error parsing regexp: missing closing \)/,
    );
    const quote = await a('POST', '/api/v1/webhooks', { name: `${tag}-bad`, url: receiver.url, matchers: [{ name: 'team-x', value: 'db' }] });
    expect(quote.status).toBe(400);
    expect(JSON.stringify(quote.body)).toMatch(/matcher 0: name must match/);
    const many = await a('POST', '/api/v1/webhooks', { name: `${tag}-bad`, url: receiver.url, matchers: Array.from({ length: 33 }, (_, i) => `l${i}="x"`) });
    expect(many.status).toBe(400);
    expect(JSON.stringify(many.body)).toMatch(/at most 32 matchers/);
    const nul = await a('POST', '/api/v1/webhooks', { name: `${tag}-bad`, url: receiver.url, matchers: null });
    expect(nul.status).toBe(400);
  });

  it('stores both forms in one canonical form; PATCH replaces them, [] clears them', async () => {
    const w = await webhook('canon', ['team = db', { name: 'env', value: 'prod|staging', is_regex: true }, { name: 'q', value: 'a"b', is_equal: false }]);
    expect(w.matchers).toEqual(['team="db"', 'env=~"prod|staging"', 'q!="a\\"b"']);
    expect((await a('GET', `/api/v1/webhooks/${w.id}`)).body.matchers).toEqual(w.matchers);
    const patched = await a('PATCH', `/api/v1/webhooks/${w.id}`, { matchers: ['x!~"y.*"'] });
    expect(patched.status).toBe(200);
    expect(patched.body.matchers).toEqual(['x!~"y.*"']);
    expect((await a('PATCH', `/api/v1/webhooks/${w.id}`, { name: `${tag}-canon` })).body.matchers).toEqual(['x!~"y.*"']);
    expect((await a('PATCH', `/api/v1/webhooks/${w.id}`, { matchers: [] })).body.matchers).toEqual([]);
    expect((await a('PATCH', `/api/v1/webhooks/${w.id}`, { matchers: ['bad'] })).status).toBe(400);
    await a('DELETE', `/api/v1/webhooks/${w.id}`);
  });

  it('routes plain and Alertmanager alerts to the webhooks whose matchers hold (severity and source as labels)', async () => {
    await webhook('db', ['team="db"']);
    await webhook('prodweb', ['env=~"prod|staging"', 'team!="db"']);
    await webhook('critical', ['severity="critical"']);
    await webhook('all');
    await webhook('am', [{ name: 'source', value: 'alertmanager' }]);
    await webhook('noteam', ['team=""']);

    const plain = await b('POST', '/api/v1/alerts', { title: `${tag} plain`, severity: 'warning', labels: { run: `${tag}-1`, team: 'db', env: 'prod' } });
    expect(plain.status).toBe(201);
    expect(await receiversOf(`${tag}-1`)).toEqual(['all', 'db']);

    const crit = await b('POST', '/api/v1/alerts', { title: `${tag} crit`, severity: 'critical', source: 'probe', labels: { run: `${tag}-2` } });
    expect(crit.status).toBe(201);
    expect(await receiversOf(`${tag}-2`)).toEqual(['all', 'critical', 'noteam']);

    const am = await a('POST', '/api/v1/alerts/alertmanager', {
      version: '4',
      status: 'firing',
      alerts: [
        { status: 'firing', labels: { alertname: 'A', run: `${tag}-3`, team: 'web', env: 'staging', severity: 'critical' } },
        { status: 'firing', labels: { alertname: 'B', run: `${tag}-4`, env: 'dev', severity: 'page' } },
      ],
    });
    expect(am.status).toBe(200);
    expect(await receiversOf(`${tag}-3`)).toEqual(['all', 'am', 'critical', 'prodweb']);
    // Its own severity label ("page") wins over the severity it maps to (critical).
    expect(await receiversOf(`${tag}-4`)).toEqual(['all', 'am', 'noteam']);
  });

  it('a PATCH on one replica is the boundary on the other at once', async () => {
    const w = await webhook('moving', ['team="x"']);
    const post = async (run: string, team: string) =>
      expect((await b('POST', '/api/v1/alerts', { title: `${tag} ${run}`, severity: 'info', labels: { run: `${tag}-${run}`, team } })).status).toBe(201);
    await post('p1', 'y'); // replica B has read the table now
    expect(await receiversOf(`${tag}-p1`)).not.toContain('moving');
    expect((await a('PATCH', `/api/v1/webhooks/${w.id}`, { matchers: ['team="y"'] })).status).toBe(200);
    await post('p2', 'y');
    await post('p3', 'x');
    expect(await receiversOf(`${tag}-p2`)).toContain('moving');
    expect(await receiversOf(`${tag}-p3`)).not.toContain('moving');
    // A new webhook with matchers is routed at once too.
    await webhook('late', ['team="z"']);
    await post('p4', 'z');
    expect(await receiversOf(`${tag}-p4`)).toContain('late');
  });

  it('the Alertmanager fan-out bound counts with matchers', async () => {
    // The bound on B is 3. team="nobody", no severity label: all and am match, nothing else (noteam wants team="") → 2.
    const small = await b('POST', '/api/v1/alerts/alertmanager', {
      version: '4',
      status: 'firing',
      alerts: [{ status: 'firing', labels: { alertname: 'C', run: `${tag}-5`, team: 'nobody' } }],
    });
    expect(small.status).toBe(200);
    expect(await receiversOf(`${tag}-5`)).toEqual(['all', 'am']);
    // team="db" adds db → 3 per alert; two alerts are 6 > 3.
    const big = await b('POST', '/api/v1/alerts/alertmanager', {
      version: '4',
      status: 'firing',
      alerts: [
        { status: 'firing', labels: { alertname: 'D', run: `${tag}-6`, team: 'db' } },
        { status: 'firing', labels: { alertname: 'E', run: `${tag}-6`, team: 'db' } },
      ],
    });
    expect(big.status).toBe(413);
    expect(JSON.stringify(big.body)).toMatch(/would write 6 deliveries/);
  });
});
