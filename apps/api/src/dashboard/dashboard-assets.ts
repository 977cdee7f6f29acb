import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The dashboard page's three files, built by `npm run build` into dist/apps/dashboard/ (rspack.config.js, pageConfig)
 * and read once at boot. The script and the styles are served under content-hashed names (dashboard.<hash>.js), which
 * the markup is rewritten to name: a browser caches them for a year, and a new build's markup names new files, so it
 * never runs a stale script. The markup itself is `no-cache`.
 */
export interface DashboardAsset {
  name: string;
  contentType: string;
  body: Buffer;
}

export interface DashboardAssets {
  html: string;
  /** By the hashed file name under /dashboard/. */
  files: ReadonlyMap<string, DashboardAsset>;
}

export const DASHBOARD_ASSETS = Symbol('DASHBOARD_ASSETS');

/**
 * dist/apps/dashboard/: beside the API bundle (dist/apps/api/*.js) when built; from the sources (the in-process e2e
 * suites under ts-jest), the checkout's dist/, which `npm run build` (or build-if-stale) made.
 */
export function dashboardAssetsDir(here = __filename): string {
  return here.endsWith('.ts') ? resolve(here, '..', '..', '..', '..', '..', 'dist', 'apps', 'dashboard') : resolve(here, '..', '..', 'dashboard');
}

const hashOf = (body: Buffer): string => createHash('sha256').update(body).digest('hex').slice(0, 16);

/** Reads and hashes the page's files; throws, naming what is missing, when the build did not make them. */
export function loadDashboardAssets(dir: string): DashboardAssets {
  const read = (file: string): Buffer => {
    const path = join(dir, file);
    if (!existsSync(path)) throw new Error(`dashboard page: ${path} is missing (run npm run build)`);
    return readFileSync(path);
  };
  let html = read('dashboard.html').toString('utf8');
  const files = new Map<string, DashboardAsset>();
  for (const [file, contentType] of [
    ['dashboard.js', 'text/javascript; charset=utf-8'],
    ['dashboard.css', 'text/css; charset=utf-8'],
  ] as const) {
    const body = read(file);
    const [base, ext] = file.split('.');
    const name = `${base}.${hashOf(body)}.${ext}`;
    const ref = `"/dashboard/${file}"`;
    if (!html.includes(ref)) throw new Error(`dashboard page: dashboard.html does not reference ${ref}`);
    html = html.replace(ref, `"/dashboard/${name}"`);
    files.set(name, { name, contentType, body });
  }
  return { html, files };
}
