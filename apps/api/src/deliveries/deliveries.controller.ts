import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { RequireScope } from '../auth/require-scope.decorator';
import { uuidParam } from '../common/uuid-param.pipe';
import { DeliveriesService } from './deliveries.service';
import { ListDeliveriesDto } from './dto/list-deliveries.dto';

@Controller('v1/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @RequireScope('webhooks:read')
  list(@Query() query: ListDeliveriesDto) {
    return this.deliveries.list(query);
  }

  @Get(':id')
  @RequireScope('webhooks:read')
  get(@Param('id', uuidParam()) id: string) {
    return this.deliveries.get(id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @RequireScope('deliveries:write')
  retry(@Param('id', uuidParam()) id: string) {
    return this.deliveries.retry(id);
  }
}
