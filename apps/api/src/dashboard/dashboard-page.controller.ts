import { Controller, Get, Header, Inject, NotFoundException, Param, StreamableFile } from '@nestjs/common';
import { DASHBOARD_ASSETS, type DashboardAssets } from './dashboard-assets';

/** The page's paths, outside the /api prefix (configure-app.ts excludes them). */
export const DASHBOARD_PAGE_PATHS = ['dashboard', 'dashboard/:asset'] as const;

/** A year: the script and styles are named by their content hash, so a cached copy is never stale. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * GET /dashboard: the on-call page, static (no secret, no data in it: it gets both from the feed once the user pastes a
 * token). Public like the probes; the feed and the REST routes it calls check the token. The files come from the
 * build (dashboard-assets.ts).
 */
@Controller('dashboard')
export class DashboardPageController {
  constructor(@Inject(DASHBOARD_ASSETS) private readonly assets: DashboardAssets) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return this.assets.html;
  }

  /** dashboard.<hash>.js and dashboard.<hash>.css, as the current markup names them; any other name is a 404. */
  @Get(':asset')
  @Header('Cache-Control', IMMUTABLE)
  asset(@Param('asset') name: string): StreamableFile {
    const file = this.assets.files.get(name);
    if (!file) throw new NotFoundException(`no dashboard asset ${name}`);
    return new StreamableFile(file.body, { type: file.contentType, length: file.body.length });
  }
}
