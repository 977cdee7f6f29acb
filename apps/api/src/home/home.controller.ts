import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';

/** `GET /` (outside the /api prefix): where a newcomer's browser or curl lands, pointing at the useful pages. */
export const HOME_LINKS = {
  dashboard: '/dashboard',
  api_docs: '/api/docs',
  openapi: '/api/docs/openapi.json',
  health: '/api/health',
  ready: '/api/ready',
  deep_health: '/api/health/deep',
  version: '/api/version',
  metrics: '/metrics',
} as const;

@ApiTags('probes')
@Controller()
export class HomeController {
  @Get()
  @ApiOkResponse({ description: 'The service name and links to its pages (dashboard, API docs, health, metrics)' })
  @Header('Cache-Control', 'no-cache')
  home(): { service: 'signalgate'; links: typeof HOME_LINKS } {
    return { service: 'signalgate', links: HOME_LINKS };
  }
}
