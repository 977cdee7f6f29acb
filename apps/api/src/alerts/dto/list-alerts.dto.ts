import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/list-query.dto';
import { IsPgTimestamp } from '../../common/pg-timestamp.validator';
import { SEVERITIES } from '@app/delivery';

export class ListAlertsDto extends PageQueryDto {
  @IsOptional()
  @IsIn(['firing', 'resolved'], { message: 'must be one of firing, resolved' })
  status?: string;

  @IsOptional()
  @IsIn(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` })
  severity?: string;

  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  acknowledged?: boolean;

  @IsOptional()
  @IsPgTimestamp()
  since?: string;
}
