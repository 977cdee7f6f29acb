import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { DashboardSeriesDto } from './dashboard-series.dto';
import { DashboardRepository } from './dashboard.repository';

/** The dashboard's charts (docs/LIVE.md): alerts, deliveries ok/failed and p95 latency per minute over the last hour. */
@ApiTags('dashboard')
@Controller('v1/dashboard')
export class DashboardSeriesController {
  constructor(private readonly repository: DashboardRepository) {}

  @Get('series')
  @RequireScope('alerts:read')
  @ApiOkResponse({ type: DashboardSeriesDto })
  async series(): Promise<DashboardSeriesDto> {
    const { rows, truncated } = await this.repository.series();
    return { bucket_ms: 60_000, points: rows.map(({ minute, ...counts }) => ({ at: new Date(minute).toISOString(), ...counts })), truncated };
  }
}
