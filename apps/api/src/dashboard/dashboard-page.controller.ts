import { Controller, Get, Header } from '@nestjs/common';
import { DASHBOARD_CSS } from './page/dashboard-css';
import { DASHBOARD_HTML } from './page/dashboard-html';
import { DASHBOARD_JS } from './page/dashboard-js';

/** The page's paths, outside the /api prefix (configure-app.ts excludes them). */
export const DASHBOARD_PAGE_PATHS = ['dashboard', 'dashboard/dashboard.js', 'dashboard/dashboard.css'] as const;

/**
 * GET /dashboard: the on-call page, static (no secret, no data in it: it gets both from the feed once the user pastes a
 * token). Public like the probes; the feed and the REST routes it calls check the token.
 */
@Controller('dashboard')
export class DashboardPageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return DASHBOARD_HTML;
  }

  @Get('dashboard.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return DASHBOARD_JS;
  }

  @Get('dashboard.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  styles(): string {
    return DASHBOARD_CSS;
  }
}
