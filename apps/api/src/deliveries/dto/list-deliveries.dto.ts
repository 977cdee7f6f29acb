import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/list-query.dto';
import { IsPgTimestamp } from '../../common/pg-timestamp.validator';
import { DELIVERY_STATES, type DeliveryState, EVENT_TYPES } from '@app/delivery';
import { ApiPropertyOptional } from '@nestjs/swagger';

export class ListDeliveriesDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATES })
  @IsOptional()
  @IsIn(DELIVERY_STATES, { message: `must be one of ${DELIVERY_STATES.join(', ')}` })
  status?: DeliveryState;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  webhook_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  alert_id?: string;

  @ApiPropertyOptional({ enum: EVENT_TYPES })
  @IsOptional()
  @IsIn(EVENT_TYPES, { message: `must be one of ${EVENT_TYPES.join(', ')}` })
  event_type?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsPgTimestamp()
  since?: string;
}
