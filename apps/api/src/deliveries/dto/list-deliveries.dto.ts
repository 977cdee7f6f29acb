import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/list-query.dto';
import { IsPgTimestamp } from '../../common/pg-timestamp.validator';
import { EVENT_TYPES } from '@app/delivery';
import { ApiPropertyOptional } from '@nestjs/swagger';

export const DELIVERY_STATUSES = ['pending', 'in_flight', 'succeeded', 'failed'] as const;

export class ListDeliveriesDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: string;

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
