import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/list-query.dto';
import { IsPgTimestamp } from '../../common/pg-timestamp.validator';
import { SEVERITIES } from '@app/delivery';
import { ApiPropertyOptional } from '@nestjs/swagger';

export class ListAlertsDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['firing', 'resolved'] })
  @IsOptional()
  @IsIn(['firing', 'resolved'], { message: 'must be one of firing, resolved' })
  status?: string;

  @ApiPropertyOptional({ enum: SEVERITIES })
  @IsOptional()
  @IsIn(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` })
  severity?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  acknowledged?: boolean;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only alerts created at or after this time' })
  @IsOptional()
  @IsPgTimestamp()
  since?: string;
}
