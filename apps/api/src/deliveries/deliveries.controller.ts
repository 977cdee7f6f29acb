import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { RequireScope } from '../auth/require-scope.decorator';
import { uuidParam } from '../common/uuid-param.pipe';
import { DeliveriesService } from './deliveries.service';
import { ListDeliveriesDto } from './dto/list-deliveries.dto';
import { ApiAcceptedResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorDto } from '../common/api-error.dto';
import { DeliveryDetailDto, DeliveryPageDto, DeliveryViewDto } from '../openapi/api-responses';

@ApiTags('deliveries')
@Controller('v1/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @RequireScope('webhooks:read')
  @ApiOkResponse({ type: DeliveryPageDto })
  list(@Query() query: ListDeliveriesDto) {
    return this.deliveries.list(query);
  }

  @Get(':id')
  @RequireScope('webhooks:read')
  @ApiOkResponse({ type: DeliveryDetailDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  get(@Param('id', uuidParam()) id: string) {
    return this.deliveries.get(id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @RequireScope('deliveries:write')
  @ApiAcceptedResponse({ description: 'Queued again', type: DeliveryViewDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  @ApiConflictResponse({ description: 'Not in a state that can be retried', type: ApiErrorDto })
  retry(@Param('id', uuidParam()) id: string) {
    return this.deliveries.retry(id);
  }
}
