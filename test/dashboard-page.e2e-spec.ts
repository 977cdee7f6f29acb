import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { DashboardSnapshotService } from '../apps/api/src/dashboard/dashboard-snapshot.service';
import { apiClient, bootApi, migrateTestDatabase, Receiver, token } from './support/domain';
import { ROOT } from './support/processes';
import { which } from './support/services';
import { waitFor } from './support/wait-for';

/**
 * CHROMIUM_PATH, else the first Chromium-family browser on PATH (Debian's chromium, which .ci/run installs, Ubuntu's
 * chromium-browser, Google Chrome); the suite fails without one, never skips.
 */
export const CHROMIUM =
  process.env.CHROMIUM_PATH ?? ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'].map(which).find(Boolean) ?? '/usr/bin/chromium';
/** Where the screenshot goes (a CI artifact; ignored by git). */
export const ARTIFACTS = resolve(ROOT, 'test-results');

/**
 * GET /dashboard in real Chromium against the real app (PostgreSQL, Redis): the page loads, an alert POSTed to the
 * API appears without a reload, acknowledging it on the page changes the API and a second open page.
 */
describe('dashboard page (e2e, Chromium)', () => {
  let app: NestFastifyApplication;
  let url: string;
  let browser: Browser;
  const writer = token(['alerts:read', 'alerts:write'], 'oncall');

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    await migrateTestDatabase();
    ({ app, url } = await bootApi({ DELIVERY_CONCURRENCY: '0' }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const openPage = async (bearer = writer): Promise<{ page: Page; errors: string[] }> => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/dashboard`);
    await page.fill('#token', bearer);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#conn.conn-on', { timeout: 5000 });
    return { page, errors };
  };

  it("starts a recovery of a webhook's failed deliveries from its row (issue 13)", async () => {
    const operator = token(['alerts:read', 'webhooks:read', 'webhooks:write'], 'oncall');
    const api = apiClient(url, operator);
    const created = await api('POST', '/api/v1/webhooks', { name: 'dashboard-recover', url: 'http://127.0.0.1:9/hook', event_types: ['webhook.test'] });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    try {
      const { page, errors } = await openPage(operator);
      const row = page.locator(`tr[data-webhook-id="${id}"]`);
      await row.waitFor({ timeout: 5000 });
      await row.locator('button.recover').click();
      // In-process delivery is off in this suite: the recovery is accepted and waits for a worker.
      await page.locator('#recover-status', { hasText: 'dashboard-recover' }).waitFor({ timeout: 5000 });
      expect(await page.locator('#recover-status').getAttribute('data-status')).toBe('pending');
      expect(await page.locator('#recover-status').textContent()).toContain('0 requeued');
      expect(await page.locator('#recover-error').textContent()).toBe('');
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await api('DELETE', `/api/v1/webhooks/${id}`);
    }
  });

  it('shows the deliveries paused behind an inactive webhook beside the queue figures (issue 24)', async () => {
    const operator = token(['alerts:read', 'webhooks:read', 'webhooks:write'], 'oncall');
    const api = apiClient(url, operator);
    const created = await api('POST', '/api/v1/webhooks', { name: 'dashboard-paused', url: 'http://127.0.0.1:9/hook', event_types: ['webhook.test'] });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    try {
      // In-process delivery is off in this suite: the test ping stays queued, then the PATCH pauses it.
      expect((await api('POST', `/api/v1/webhooks/${id}/test`)).status).toBe(202);
      expect((await api('PATCH', `/api/v1/webhooks/${id}`, { is_active: false })).status).toBe(200);
      // The run's database is shared: the page must show what the snapshot counts, at least this one.
      const paused = (await app.get(DashboardSnapshotService).queue()).paused;
      expect(paused).toBeGreaterThanOrEqual(1);
      const { page, errors } = await openPage(operator);
      await page.locator('#queue-paused', { hasText: new RegExp(`^${paused}$`) }).waitFor({ timeout: 5000 });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await api('DELETE', `/api/v1/webhooks/${id}`);
    }
  });

  it('serves the static page without any secret, its assets under content-hashed names (issue 23)', async () => {
    const page = await fetch(`${url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const assets = [...html.matchAll(/"\/dashboard\/(dashboard\.[0-9a-f]{16}\.(js|css))"/g)].map((m) => [m[1], m[2]] as const);
    expect(assets.map(([, ext]) => ext).sort()).toEqual(['css', 'js']);
    expect(html).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    for (const [name, ext] of assets) {
      const res = await fetch(`${url}/dashboard/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(`text/${ext === 'js' ? 'javascript' : 'css'}; charset=utf-8`);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const text = await res.text();
      expect(text.length).toBeGreaterThan(500);
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no JWT
      expect(text).not.toContain('whsec_');
    }
    // Only the current build's names: an unhashed or stale name is a 404, never cached.
    for (const name of ['dashboard.js', 'dashboard.css', 'dashboard.0123456789abcdef.js', '..%2Fmain.js']) {
      const res = await fetch(`${url}/dashboard/${name}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('cache-control')).not.toContain('max-age=31536000');
    }
  });

  it('shows a POSTed alert live, and acknowledging it on the page updates the API and a second page', async () => {
    const first = await openPage();
    const second = await openPage();
    // The token stays in the tab's sessionStorage, never in the address bar.
    expect(first.page.url()).not.toContain('token');
    expect(await first.page.evaluate("sessionStorage.getItem('signalgate.dashboard.token')")).toBe(writer);

    const api = apiClient(url, writer);
    await api('POST', '/api/v1/alerts', { title: 'Disk 91% on worker-3', severity: 'warning', source: 'node-exporter' });
    const posted = await api('POST', '/api/v1/alerts', { title: 'Primary database unreachable', severity: 'critical', source: 'prometheus' });
    expect(posted.status).toBe(201);
    const id = posted.body.id as string;
    const row = (p: Page) => p.locator(`tr[data-alert-id="${id}"]`);
    // Within a second, without a reload, on both pages.
    await row(first.page).waitFor({ timeout: 1000 });
    await row(second.page).waitFor({ timeout: 1000 });
    await expect(row(first.page).locator('.sev').textContent()).resolves.toBe('critical');

    await row(first.page).locator('button.ack').click();
    await row(first.page).locator('.ack-state', { hasText: 'acked by oncall' }).waitFor({ timeout: 2000 });
    const stored = await api('GET', `/api/v1/alerts/${id}`);
    expect(stored.body).toMatchObject({ acknowledged: true, acknowledged_by: 'oncall' });
    // The other page heard it over the feed.
    await row(second.page).locator('.ack-state', { hasText: 'acked by oncall' }).waitFor({ timeout: 2000 });

    mkdirSync(ARTIFACTS, { recursive: true });
    await first.page.screenshot({ path: resolve(ARTIFACTS, 'dashboard.png') });

    // Resolving elsewhere removes it from both pages.
    expect((await api('POST', `/api/v1/alerts/${id}/resolve`)).status).toBe(200);
    await row(first.page).waitFor({ state: 'detached', timeout: 2000 });
    await row(second.page).waitFor({ state: 'detached', timeout: 2000 });
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
  });

  it('charts the last hour per minute: alerts, deliveries ok/failed, p95 latency (issue 23)', async () => {
    const operator = token(['alerts:read', 'alerts:write', 'webhooks:read', 'webhooks:write'], 'oncall');
    const api = apiClient(url, operator);
    expect((await apiClient(url, token(['webhooks:read']))('GET', '/api/v1/dashboard/series')).status).toBe(403);
    // This suite's app does not deliver: a second one on the same database does (its workers on, real receivers).
    const delivering = await bootApi({});
    const [good, bad] = await Promise.all([Receiver.start(() => ({ status: 200, delayMs: 20 })), Receiver.start(() => ({ status: 500 }))]);
    const ids: string[] = [];
    try {
      for (const [name, receiver] of [
        ['chart-ok', good],
        ['chart-failing', bad],
      ] as const) {
        const created = await api('POST', '/api/v1/webhooks', { name, url: receiver.url, event_types: ['alert.created'] });
        expect(created.status).toBe(201);
        ids.push(created.body.id as string);
      }
      for (let i = 0; i < 3; i++) expect((await api('POST', '/api/v1/alerts', { title: `chart ${i} ${Date.now()}`, severity: 'info' })).status).toBe(201);
      // The attempts are recorded: the series says so (what the page will draw).
      type Point = { alerts: number; deliveries_ok: number; deliveries_failed: number; p95_ms: number | null };
      const sum = (points: Point[], key: 'alerts' | 'deliveries_ok' | 'deliveries_failed') => points.reduce((s, p) => s + p[key], 0);
      const points = await waitFor(
        async () => {
          const res = await api('GET', '/api/v1/dashboard/series');
          const pts = res.body.points as Point[];
          return sum(pts, 'deliveries_ok') >= 3 && sum(pts, 'deliveries_failed') >= 3 ? pts : undefined;
        },
        { timeoutMs: 15_000, what: 'ok and failed attempts in the series' },
      );
      expect(points).toHaveLength(60);
      expect(sum(points, 'alerts')).toBeGreaterThanOrEqual(3);
      expect(points.some((p) => p.p95_ms !== null && p.p95_ms >= 0)).toBe(true);

      const { page, errors } = await openPage(operator);
      const chart = (id: string) => page.locator(`#${id}`);
      await chart('chart-deliveries').locator('rect.failed').first().waitFor({ timeout: 5000 });
      expect(Number(await chart('chart-alerts').getAttribute('data-total'))).toBeGreaterThanOrEqual(3);
      expect(await chart('chart-alerts').locator('rect.bar-alerts').count()).toBeGreaterThanOrEqual(1);
      expect(await chart('chart-deliveries').locator('rect.ok').count()).toBeGreaterThanOrEqual(1);
      expect(Number(await chart('chart-deliveries').getAttribute('data-total'))).toBeGreaterThanOrEqual(6);
      expect(Number(await chart('chart-latency').getAttribute('data-total'))).toBeGreaterThanOrEqual(1);
      expect(await chart('chart-latency').locator('polyline.line, circle.line').count()).toBeGreaterThanOrEqual(1);
      // Drawn, not empty: every bar has a positive height.
      const heights = await chart('chart-deliveries')
        .locator('rect')
        .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
      expect(Math.min(...heights)).toBeGreaterThan(0);
      expect(await page.locator('#series-status').textContent()).toBe('');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard-charts.png') });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      for (const id of ids) await api('DELETE', `/api/v1/webhooks/${id}`);
      await delivering.app.close();
      await Promise.all([good.close(), bad.close()]);
    }
  });

  it('asks for a token again when the feed refuses it', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/dashboard`);
    await page.fill('#token', token(['webhooks:read'], 'wrong-scope'));
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#login:not([hidden]) #login-error:not(:empty)', { timeout: 15_000 });
    expect(await page.evaluate("sessionStorage.getItem('signalgate.dashboard.token')")).toBeNull();
    await page.close();
  });
});
