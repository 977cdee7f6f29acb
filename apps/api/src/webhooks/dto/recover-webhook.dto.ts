import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsPgTimestamp } from '../../common/pg-timestamp.validator';

export class RecoverWebhookDto {
  @ApiProperty({ format: 'date-time', description: 'Requeue deliveries that failed at or after this instant (must be in the past)' })
  @IsPgTimestamp()
  since: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Up to this instant, exclusive (after since); default: now' })
  @IsOptional()
  @IsPgTimestamp()
  until?: string;
}
