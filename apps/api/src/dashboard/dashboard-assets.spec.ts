import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dashboardAssetsDir, loadDashboardAssets } from './dashboard-assets';

describe('dashboard page assets (issue 23)', () => {
  let dir: string;
  const html = '<link rel="stylesheet" href="/dashboard/dashboard.css"><script src="/dashboard/dashboard.js" defer></script>';
  const put = (files: Record<string, string>) => Object.entries(files).forEach(([f, text]) => writeFileSync(join(dir, f), text));

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sg-dashboard-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the script and styles by their content hash, in the markup too; a changed build gets new names', () => {
    put({ 'dashboard.html': html, 'dashboard.js': 'run(1)', 'dashboard.css': 'a{}' });
    const first = loadDashboardAssets(dir);
    const names = [...first.files.keys()];
    expect(names).toEqual([expect.stringMatching(/^dashboard\.[0-9a-f]{16}\.js$/), expect.stringMatching(/^dashboard\.[0-9a-f]{16}\.css$/)]);
    for (const name of names) expect(first.html).toContain(`"/dashboard/${name}"`);
    expect(first.html).not.toContain('"/dashboard/dashboard.js"');
    expect(first.files.get(names[0])).toMatchObject({ contentType: 'text/javascript; charset=utf-8', body: Buffer.from('run(1)') });

    put({ 'dashboard.js': 'run(2)' });
    const second = loadDashboardAssets(dir);
    expect([...second.files.keys()][0]).not.toBe(names[0]);
    expect([...second.files.keys()][1]).toBe(names[1]);
  });

  it('fails at boot, naming the file and the fix, when the build did not make the page', () => {
    put({ 'dashboard.html': html, 'dashboard.css': 'a{}' });
    expect(() => loadDashboardAssets(dir)).toThrow(`dashboard page: ${join(dir, 'dashboard.js')} is missing (run npm run build)`);
  });

  it('fails at boot when the markup no longer names an asset it would rewrite', () => {
    put({ 'dashboard.html': '<script src="/dashboard/app.js"></script>', 'dashboard.js': 'x', 'dashboard.css': 'a{}' });
    expect(() => loadDashboardAssets(dir)).toThrow('dashboard.html does not reference "/dashboard/dashboard.js"');
  });

  it('finds dist/apps/dashboard beside the API bundle, and from the sources', () => {
    const root = resolve(__dirname, '..', '..', '..', '..');
    expect(dashboardAssetsDir()).toBe(join(root, 'dist', 'apps', 'dashboard'));
    expect(dashboardAssetsDir('/app/dist/apps/api/7.main.js')).toBe('/app/dist/apps/dashboard');
  });
});
