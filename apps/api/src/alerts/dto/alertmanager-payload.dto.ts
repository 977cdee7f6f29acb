import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { IsPgTimestamp } from '../../common/pg-timestamp.validator';
import { IsStringMap } from './string-map.validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Hard cap (ALERTMANAGER_MAX_ALERTS's maximum); the configured bound is checked before validation, with a 413. */
export const ALERTMANAGER_HARD_MAX_ALERTS = 100_000;

/** One alert of Alertmanager's webhook payload (version 4). */
export class AlertmanagerAlertDto {
  @ApiProperty({ enum: ['firing', 'resolved'] })
  @IsIn(['firing', 'resolved'], { message: 'must be one of firing, resolved' })
  status: 'firing' | 'resolved';

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  @IsStringMap()
  labels: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsStringMap()
  annotations?: Record<string, string>;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsPgTimestamp()
  startsAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsPgTimestamp()
  endsAt?: string;

  @ApiPropertyOptional({ maxLength: 4096 })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  generatorURL?: string;

  @ApiPropertyOptional({ maxLength: 128 })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  fingerprint?: string;
}

/** Alertmanager's webhook_config body, as it sends it (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export class AlertmanagerPayloadDto {
  @ApiProperty({ enum: ['4'] })
  @IsIn(['4'], { message: 'must be "4" (the Alertmanager webhook payload version)' })
  version: string;

  @ApiPropertyOptional({ maxLength: 4096 })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  groupKey?: string;

  @ApiPropertyOptional({ type: 'integer' })
  @IsOptional()
  @IsInt()
  truncatedAlerts?: number;

  @ApiProperty({ enum: ['firing', 'resolved'] })
  @IsIn(['firing', 'resolved'], { message: 'must be one of firing, resolved' })
  status: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  receiver?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsStringMap()
  groupLabels?: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsStringMap()
  commonLabels?: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsStringMap()
  commonAnnotations?: Record<string, string>;

  @ApiPropertyOptional({ maxLength: 4096 })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  externalURL?: string;

  @ApiProperty({ type: () => [AlertmanagerAlertDto] })
  @IsArray()
  @ArrayMaxSize(ALERTMANAGER_HARD_MAX_ALERTS)
  @ValidateNested({ each: true })
  @Type(() => AlertmanagerAlertDto)
  alerts: AlertmanagerAlertDto[];
}
