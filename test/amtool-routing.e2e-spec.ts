import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { Client } from 'pg';
import { stringify } from 'yaml';
import { createScratchDatabase } from './support/e2e-env';
import { apiClient, bootApi, migrateTestDatabase, Receiver } from './support/domain';

const run = promisify(execFile);
const AMTOOL = '/usr/bin/amtool';

/**
 * Issue 25: Signalgate routes like Alertmanager. Webhooks with generated matchers are created through the API; a
 * few hundred alerts with generated labels go in as Alertmanager payloads; the webhooks that got a delivery for each
 * are compared with what the real `amtool config routes test` answers for the same label set on the equivalent
 * routing tree: one route per webhook with its matchers (as the API returned them), `continue: true`, receivers named
 * after the webhooks, a catch-all root receiver `none`. The label set amtool sees is the stored alert's labels plus
 * severity and source where it has no label of that name (the documented precedence).
 */
describe('routing agrees with amtool config routes test (e2e, real amtool)', () => {
  let app: NestFastifyApplication;
  let api: ReturnType<typeof apiClient>;
  let db: Client;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let receiver: Receiver;
  let dir: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await migrateTestDatabase(scratch.url);
    db = new Client({ connectionString: scratch.url });
    await db.connect();
    receiver = await Receiver.start();
    ({ app } = await bootApi({}, scratch.url).then((b) => ((api = apiClient(b.url)), b)));
    dir = mkdtempSync(join(tmpdir(), 'amtool-routing-'));
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
    await db?.end();
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const NAMES = ['team', 'env', 'severity', 'source', 'service', 'alertname'];
  const VALUES = ['', 'a', 'b', 'db', 'web', 'prod', 'staging', 'critical', 'warning', 'info', 'alertmanager', 'a.b', 'b-1'];
  const REGEXES = ['a|b', 'prod|staging', '.*', '.+', 'd.*', '[a-c]+', 'web|', '(db|web)-?1?', 'st[a-z]+', 'a\\.b', 'crit.*|warn.*', '', 'b-[0-9]'];
  const matcher = fc.oneof(
    fc.record({ name: fc.constantFrom(...NAMES), value: fc.constantFrom(...VALUES), is_equal: fc.boolean() }),
    fc.record({ name: fc.constantFrom(...NAMES), value: fc.constantFrom(...REGEXES), is_regex: fc.constant(true), is_equal: fc.boolean() }),
  );
  const labelSet = fc.dictionary(fc.constantFrom(...NAMES.filter((n) => n !== 'source').concat('instance')), fc.constantFrom(...VALUES.filter(Boolean)), {
    minKeys: 1,
    maxKeys: 5,
  });

  it('finds the same receivers as amtool for a few hundred generated label sets', async () => {
    const seed = 2512;
    const webhookMatchers = fc.sample(fc.array(matcher, { minLength: 1, maxLength: 3 }), { seed, numRuns: 16 });
    const routes: Array<{ receiver: string; matchers: string[]; continue: true }> = [];
    const names = new Map<string, string>();
    for (const [i, matchers] of webhookMatchers.entries()) {
      const w = await api('POST', '/api/v1/webhooks', { name: `w${i}`, url: receiver.url, event_types: ['alert.created'], matchers });
      expect(w.status).toBe(201);
      names.set(w.body.id, `w${i}`);
      routes.push({ receiver: `w${i}`, matchers: w.body.matchers, continue: true });
    }
    const config = join(dir, 'alertmanager.yml');
    writeFileSync(config, stringify({ route: { receiver: 'none', routes }, receivers: [{ name: 'none' }, ...routes.map((r) => ({ name: r.receiver }))] }));

    // Each label set once (Alertmanager dedups by labels; so does our fingerprint), tagged so its alert can be found.
    const sets = fc.sample(labelSet, { seed, numRuns: 300 }).map((labels, i) => ({ ...labels, case: `c${i}` }));
    // The first 100 as plain alerts, whose severity and source fields are free (source is "alertmanager" otherwise).
    const fields = fc.sample(
      fc.record({ severity: fc.constantFrom('critical', 'high', 'warning', 'info'), source: fc.constantFrom('a', 'b-1', 'staging', null) }),
      { seed, numRuns: 100 },
    );
    for (const [i, f] of fields.entries()) {
      const r = await api('POST', '/api/v1/alerts', { title: `case ${i}`, ...f, labels: sets[i] });
      expect(r.status).toBe(201);
    }
    for (let i = 100; i < sets.length; i += 100) {
      const r = await api('POST', '/api/v1/alerts/alertmanager', {
        version: '4',
        status: 'firing',
        alerts: sets.slice(i, i + 100).map((labels) => ({ status: 'firing', labels })),
      });
      expect(r.status).toBe(200);
    }
    const { rows } = await db.query<{ labels: Record<string, string>; severity: string; source: string | null; webhooks: string[] }>(
      `SELECT a.labels, a.severity, a.source, array_remove(array_agg(d.webhook_id::text), NULL) AS webhooks
       FROM alerts a LEFT JOIN deliveries d ON d.alert_id = a.id GROUP BY a.id`,
    );
    expect(rows).toHaveLength(sets.length);

    let compared = 0;
    const perWebhook = new Map<string, number>();
    const compare = async (row: (typeof rows)[number]) => {
      // The documented precedence, written out here: the alert's own labels win over its severity and source fields.
      const labels: Record<string, string> = { severity: row.severity, ...(row.source === null ? {} : { source: row.source }), ...row.labels };
      const args = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
      const { stdout } = await run(AMTOOL, ['config', 'routes', 'test', `--config.file=${config}`, ...args], { timeout: 10_000 });
      const fromAmtool = stdout.trim() === 'none' ? [] : stdout.trim().split(',').sort();
      const fromSignalgate = row.webhooks.map((id) => names.get(id)!).sort();
      expect({ labels, receivers: fromSignalgate }).toEqual({ labels, receivers: fromAmtool });
      compared += 1;
      for (const name of fromSignalgate) perWebhook.set(name, (perWebhook.get(name) ?? 0) + 1);
    };
    // Two at a time: the machine is shared.
    for (let i = 0; i < rows.length; i += 2) await Promise.all(rows.slice(i, i + 2).map(compare));
    expect(compared).toBe(300);
    // The generated cases are not degenerate: most webhooks take some alerts and not others.
    const selective = [...names.values()].filter((n) => (perWebhook.get(n) ?? 0) > 0 && (perWebhook.get(n) ?? 0) < sets.length);
    expect(selective.length).toBeGreaterThanOrEqual(10);
  }, 180_000);
});
