import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HealthModule } from '@app/health';
import { AlertEntity } from '../alerts/alert.entity';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { DASHBOARD_ASSETS, dashboardAssetsDir, loadDashboardAssets } from './dashboard-assets';
import { DashboardPageController } from './dashboard-page.controller';
import { DashboardSeriesController } from './dashboard-series.controller';
import { DashboardSnapshotService } from './dashboard-snapshot.service';
import { DashboardGateway } from './dashboard.gateway';
import { DashboardRepository } from './dashboard.repository';

/** The live dashboard: the WebSocket feed at /api/v1/ws/dashboard and the page at GET /dashboard, its charts' series (docs/LIVE.md). */
@Module({
  imports: [TypeOrmModule.forFeature([AlertEntity]), WebhooksModule, HealthModule],
  controllers: [DashboardPageController, DashboardSeriesController],
  providers: [
    DashboardGateway,
    DashboardSnapshotService,
    DashboardRepository,
    // Read once at boot: a build without the page fails here, not on the first request.
    { provide: DASHBOARD_ASSETS, useFactory: () => loadDashboardAssets(dashboardAssetsDir()) },
  ],
  exports: [DashboardRepository],
})
export class DashboardModule {}
