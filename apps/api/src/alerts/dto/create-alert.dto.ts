import { IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { SEVERITIES, type Severity } from '@app/delivery';
import { IsPgTimestamp } from '../../common/pg-timestamp.validator';
import { IsStringMap } from './string-map.validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CreateAlertDto {
  @ApiProperty({ minLength: 1, maxLength: 500, example: 'Disk almost full' })
  @IsString()
  @Length(1, 500)
  title: string;

  @ApiProperty({ enum: SEVERITIES })
  @IsIn(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` })
  severity: Severity;

  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'node-exporter' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  source?: string;

  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { host: 'db-1' } })
  @IsOptional()
  @IsStringMap()
  labels?: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsStringMap()
  annotations?: Record<string, string>;

  /** Given, or derived from the sorted labels (else title + source). */
  @ApiPropertyOptional({ pattern: '^[A-Za-z0-9._:-]{1,128}$', description: 'Dedup key; derived from the sorted labels (else title + source) when absent' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -' })
  fingerprint?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsPgTimestamp()
  starts_at?: string;
}
