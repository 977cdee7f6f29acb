import { ApiProperty } from '@nestjs/swagger';

export class DashboardSeriesPointDto {
  @ApiProperty({ format: 'date-time', description: 'Start of the minute' }) at: string;
  @ApiProperty({ type: 'integer', description: 'Alerts created in the minute' }) alerts: number;
  @ApiProperty({ type: 'integer', description: 'Delivery attempts that succeeded, started in the minute' }) deliveries_ok: number;
  @ApiProperty({ type: 'integer', description: 'Delivery attempts that failed, started in the minute' }) deliveries_failed: number;
  @ApiProperty({ type: 'integer', nullable: true, description: "p95 of the minute's attempt durations (ms); null without attempts" })
  p95_ms: number | null;
}

/** GET /api/v1/dashboard/series: the last hour, per minute, oldest first (the dashboard's charts). */
export class DashboardSeriesDto {
  @ApiProperty({ type: 'integer', example: 60_000 }) bucket_ms: number;
  @ApiProperty({ type: [DashboardSeriesPointDto], description: '60 points, the current (partial) minute last' }) points: DashboardSeriesPointDto[];
  @ApiProperty({ description: 'More than 100,000 alerts or attempts in the hour: the oldest minutes count only the newest of them' })
  truncated: boolean;
}
