import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { IsPgTimestamp } from '../../common/pg-timestamp.validator';
import { IsStringMap } from './string-map.validator';

/** Hard cap (ALERTMANAGER_MAX_ALERTS's maximum); the configured bound is checked before validation, with a 413. */
export const ALERTMANAGER_HARD_MAX_ALERTS = 100_000;

/** One alert of Alertmanager's webhook payload (version 4). */
export class AlertmanagerAlertDto {
  @IsIn(['firing', 'resolved'], { message: 'must be one of firing, resolved' })
  status: 'firing' | 'resolved';

  @IsStringMap()
  labels: Record<string, string>;

  @IsOptional()
  @IsStringMap()
  annotations?: Record<string, string>;

  @IsOptional()
  @IsPgTimestamp()
  startsAt?: string;

  @IsOptional()
  @IsPgTimestamp()
  endsAt?: string;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  generatorURL?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  fingerprint?: string;
}

/** Alertmanager's webhook_config body, as it sends it (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export class AlertmanagerPayloadDto {
  @IsIn(['4'], { message: 'must be "4" (the Alertmanager webhook payload version)' })
  version: string;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  groupKey?: string;

  @IsOptional()
  @IsInt()
  truncatedAlerts?: number;

  @IsIn(['firing', 'resolved'], { message: 'must be one of firing, resolved' })
  status: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  receiver?: string;

  @IsOptional()
  @IsStringMap()
  groupLabels?: Record<string, string>;

  @IsOptional()
  @IsStringMap()
  commonLabels?: Record<string, string>;

  @IsOptional()
  @IsStringMap()
  commonAnnotations?: Record<string, string>;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  externalURL?: string;

  @IsArray()
  @ArrayMaxSize(ALERTMANAGER_HARD_MAX_ALERTS)
  @ValidateNested({ each: true })
  @Type(() => AlertmanagerAlertDto)
  alerts: AlertmanagerAlertDto[];
}
