import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { RequireScope } from '../auth/require-scope.decorator';
import { PageQueryDto } from '../common/list-query.dto';
import { uuidParam } from '../common/uuid-param.pipe';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { RecoverWebhookDto } from './dto/recover-webhook.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { WebhookRecoveryService } from './webhook-recovery.service';
import { WebhookHealthService } from './webhook-health.service';
import { WebhooksService } from './webhooks.service';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrorDto } from '../common/api-error.dto';
import {
  DeliveryPageDto,
  TestPingDto,
  WebhookHealthDto,
  WebhookPageDto,
  WebhookRecoveryDto,
  WebhookViewDto,
  WebhookWithSecretDto,
} from '../openapi/api-responses';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly health: WebhookHealthService,
    private readonly recoveries: WebhookRecoveryService,
  ) {}

  @Post()
  @RequireScope('webhooks:write')
  @ApiCreatedResponse({ description: 'Created; the signing secret is shown only here and on rotation', type: WebhookWithSecretDto })
  create(@Body() dto: CreateWebhookDto) {
    return this.webhooks.create(dto);
  }

  @Get()
  @RequireScope('webhooks:read')
  @ApiOkResponse({ type: WebhookPageDto })
  list(@Query() query: PageQueryDto) {
    return this.webhooks.list(query.limit, query.cursor);
  }

  @Get('health')
  @RequireScope('webhooks:read')
  @ApiOkResponse({ type: [WebhookHealthDto] })
  healthAll() {
    return this.health.all();
  }

  @Get('degraded')
  @RequireScope('webhooks:read')
  @ApiOkResponse({ type: [WebhookHealthDto] })
  degraded() {
    return this.health.degraded();
  }

  @Get(':id')
  @RequireScope('webhooks:read')
  @ApiOkResponse({ type: WebhookViewDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  get(@Param('id', uuidParam()) id: string) {
    return this.webhooks.get(id);
  }

  @Patch(':id')
  @RequireScope('webhooks:write')
  @ApiOkResponse({ type: WebhookViewDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  update(@Param('id', uuidParam()) id: string, @Body() dto: UpdateWebhookDto) {
    return this.webhooks.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('webhooks:write')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  remove(@Param('id', uuidParam()) id: string) {
    return this.webhooks.remove(id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequireScope('webhooks:write')
  @ApiOkResponse({ description: 'The new secret; the previous one stays valid for a grace period', type: WebhookWithSecretDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  rotateSecret(@Param('id', uuidParam()) id: string) {
    return this.webhooks.rotateSecret(id);
  }

  @Post(':id/test')
  @HttpCode(202)
  @RequireScope('webhooks:write')
  @ApiAcceptedResponse({ description: 'A test delivery was queued', type: TestPingDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  @ApiConflictResponse({ description: 'The webhook is disabled', type: ApiErrorDto })
  test(@Param('id', uuidParam()) id: string) {
    return this.webhooks.sendTest(id);
  }

  @Get(':id/deliveries')
  @RequireScope('webhooks:read')
  @ApiOkResponse({ type: DeliveryPageDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  deliveriesOf(@Param('id', uuidParam()) id: string, @Query() query: PageQueryDto) {
    return this.webhooks.listDeliveries(id, query);
  }

  @Post(':id/recover')
  @HttpCode(202)
  @RequireScope('webhooks:write')
  @ApiAcceptedResponse({
    description:
      'Its deliveries that failed in [since, until) go back in the queue once, oldest first, in the background; repeating the call while one for the same window is open returns that one',
    type: WebhookRecoveryDto,
  })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  @ApiConflictResponse({ description: 'The webhook is disabled', type: ApiErrorDto })
  recover(@Param('id', uuidParam()) id: string, @Body() dto: RecoverWebhookDto) {
    return this.recoveries.start(id, dto);
  }

  @Get(':id/recoveries/:rid')
  @RequireScope('webhooks:read')
  @ApiOkResponse({ type: WebhookRecoveryDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  recovery(@Param('id', uuidParam()) id: string, @Param('rid', uuidParam('rid')) rid: string) {
    return this.recoveries.get(id, rid);
  }
}
