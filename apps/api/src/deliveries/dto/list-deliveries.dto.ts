import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/list-query.dto';
import { IsPgTimestamp } from '../../common/pg-timestamp.validator';
import { EVENT_TYPES } from '@app/delivery';

export const DELIVERY_STATUSES = ['pending', 'in_flight', 'succeeded', 'failed'] as const;

export class ListDeliveriesDto extends PageQueryDto {
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: string;

  @IsOptional()
  @IsUUID()
  webhook_id?: string;

  @IsOptional()
  @IsUUID()
  alert_id?: string;

  @IsOptional()
  @IsIn(EVENT_TYPES, { message: `must be one of ${EVENT_TYPES.join(', ')}` })
  event_type?: string;

  @IsOptional()
  @IsPgTimestamp()
  since?: string;
}
