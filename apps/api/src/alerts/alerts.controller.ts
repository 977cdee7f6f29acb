import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '@app/auth';
import { RequireScope } from '../auth/require-scope.decorator';
import { uuidParam } from '../common/uuid-param.pipe';
import { applyStatus } from '../common/with-status';
import { IntakeRateLimit } from '../rate-limit/intake-rate-limit.decorator';
import { AlertmanagerBoundInterceptor } from './alertmanager-bound.interceptor';
import { AlertsService } from './alerts.service';
import { AcknowledgeAlertDto } from './dto/acknowledge-alert.dto';
import { AlertmanagerPayloadDto } from './dto/alertmanager-payload.dto';
import { CreateAlertDto } from './dto/create-alert.dto';
import { ListAlertsDto } from './dto/list-alerts.dto';
import { ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiPayloadTooLargeResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorDto } from '../common/api-error.dto';
import { AlertDetailDto, AlertmanagerResultDto, AlertPageDto, AlertViewDto, CreatedAlertDto } from '../openapi/api-responses';

@ApiTags('alerts')
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Post()
  @RequireScope('alerts:write')
  @IntakeRateLimit()
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Replays the stored response for a repeated key (per subject)' })
  @ApiCreatedResponse({ description: 'Created', type: CreatedAlertDto })
  @ApiOkResponse({ description: 'Deduplicated: an alert with this fingerprint was firing; its occurrences grew', type: CreatedAlertDto })
  async create(
    @Body() dto: CreateAlertDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    return applyStatus(reply, await this.alerts.create(dto, principal.sub, idempotencyKey));
  }

  /** Alertmanager `webhook_configs` target; it sends the token through `http_config.authorization`. */
  @Post('alertmanager')
  @HttpCode(200)
  @RequireScope('alerts:write')
  @IntakeRateLimit()
  @UseInterceptors(AlertmanagerBoundInterceptor)
  @ApiOkResponse({ description: 'What the payload did', type: AlertmanagerResultDto })
  @ApiPayloadTooLargeResponse({
    description: 'More alerts than ALERTMANAGER_MAX_ALERTS, more deliveries than ALERTMANAGER_MAX_DELIVERIES, or an alert changing status more than 10 times',
    type: ApiErrorDto,
  })
  ingestAlertmanager(@Body() payload: AlertmanagerPayloadDto) {
    return this.alerts.ingestAlertmanager(payload);
  }

  @Get()
  @RequireScope('alerts:read')
  @ApiOkResponse({ type: AlertPageDto })
  list(@Query() query: ListAlertsDto) {
    return this.alerts.list(query);
  }

  @Get(':id')
  @RequireScope('alerts:read')
  @ApiOkResponse({ description: 'The alert and its deliveries', type: AlertDetailDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  get(@Param('id', uuidParam()) id: string) {
    return this.alerts.get(id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @RequireScope('alerts:write')
  @ApiOkResponse({ type: AlertViewDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  acknowledge(@Param('id', uuidParam()) id: string, @Body() dto: AcknowledgeAlertDto, @CurrentPrincipal() principal: Principal) {
    return this.alerts.acknowledge(id, dto, principal.sub);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @RequireScope('alerts:write')
  @ApiOkResponse({ type: AlertViewDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  resolve(@Param('id', uuidParam()) id: string) {
    return this.alerts.resolve(id);
  }
}
