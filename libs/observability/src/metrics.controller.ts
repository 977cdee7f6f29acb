import { Controller, Get, Header } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** `GET /metrics` (outside the `/api` prefix, see configure-app.ts): Prometheus text exposition format 0.0.4. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.exposition();
  }
}
