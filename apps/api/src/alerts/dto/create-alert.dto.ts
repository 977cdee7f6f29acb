import { IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { SEVERITIES, type Severity } from '@app/delivery';
import { IsPgTimestamp } from '../../common/pg-timestamp.validator';
import { IsStringMap } from './string-map.validator';

export class CreateAlertDto {
  @IsString()
  @Length(1, 500)
  title: string;

  @IsIn(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` })
  severity: Severity;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  source?: string;

  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @IsOptional()
  @IsStringMap()
  labels?: Record<string, string>;

  @IsOptional()
  @IsStringMap()
  annotations?: Record<string, string>;

  /** Given, or derived from the sorted labels (else title + source). */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -' })
  fingerprint?: string;

  @IsOptional()
  @IsPgTimestamp()
  starts_at?: string;
}
