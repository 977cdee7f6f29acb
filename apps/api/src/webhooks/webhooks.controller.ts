import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { RequireScope } from '../auth/require-scope.decorator';
import { PageQueryDto } from '../common/list-query.dto';
import { uuidParam } from '../common/uuid-param.pipe';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { WebhookHealthService } from './webhook-health.service';
import { WebhooksService } from './webhooks.service';

@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly health: WebhookHealthService,
  ) {}

  @Post()
  @RequireScope('webhooks:write')
  create(@Body() dto: CreateWebhookDto) {
    return this.webhooks.create(dto);
  }

  @Get()
  @RequireScope('webhooks:read')
  list(@Query() query: PageQueryDto) {
    return this.webhooks.list(query.limit, query.cursor);
  }

  @Get('health')
  @RequireScope('webhooks:read')
  healthAll() {
    return this.health.all();
  }

  @Get('degraded')
  @RequireScope('webhooks:read')
  degraded() {
    return this.health.degraded();
  }

  @Get(':id')
  @RequireScope('webhooks:read')
  get(@Param('id', uuidParam()) id: string) {
    return this.webhooks.get(id);
  }

  @Patch(':id')
  @RequireScope('webhooks:write')
  update(@Param('id', uuidParam()) id: string, @Body() dto: UpdateWebhookDto) {
    return this.webhooks.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('webhooks:write')
  remove(@Param('id', uuidParam()) id: string) {
    return this.webhooks.remove(id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequireScope('webhooks:write')
  rotateSecret(@Param('id', uuidParam()) id: string) {
    return this.webhooks.rotateSecret(id);
  }

  @Post(':id/test')
  @HttpCode(202)
  @RequireScope('webhooks:write')
  test(@Param('id', uuidParam()) id: string) {
    return this.webhooks.sendTest(id);
  }

  @Get(':id/deliveries')
  @RequireScope('webhooks:read')
  deliveriesOf(@Param('id', uuidParam()) id: string, @Query() query: PageQueryDto) {
    return this.webhooks.listDeliveries(id, query);
  }
}
