import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { WithBodyFastPath } from '../../common/body-fast-path';
import { IsPgTimestamp, isPgTimestamp } from '../../common/pg-timestamp.validator';
import { COUNTED_BY_SERVICE, IsStringMap, stringMapProblem } from './string-map.validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Hard cap (ALERTMANAGER_MAX_ALERTS's maximum); the configured bound is checked before validation, with a 413. */
export const ALERTMANAGER_HARD_MAX_ALERTS = 100_000;

/** One alert of Alertmanager's webhook payload (version 4). */
export class AlertmanagerAlertDto {
  @ApiProperty({ enum: ['firing', 'resolved'] })
  @IsIn(['firing', 'resolved'], { message: 'must be one of firing, resolved' })
  status: 'firing' | 'resolved';

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  @IsStringMap(COUNTED_BY_SERVICE)
  labels: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsStringMap(COUNTED_BY_SERVICE)
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
@WithBodyFastPath(acceptAlertmanagerPayload)
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

// The decorators above as plain checks, for the payload Alertmanager sends (WithBodyFastPath); anything else (an
// unknown key, a wrong type, a bound crossed) goes to class-validator, which decides and words the errors.
const PAYLOAD_KEYS = new Set([
  'version',
  'groupKey',
  'truncatedAlerts',
  'status',
  'receiver',
  'groupLabels',
  'commonLabels',
  'commonAnnotations',
  'externalURL',
  'alerts',
]);
const ALERT_KEYS = new Set(['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint']);
const STATUSES: readonly unknown[] = ['firing', 'resolved'];

const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const onlyKeys = (x: Record<string, unknown>, keys: Set<string>) => Object.keys(x).every((k) => keys.has(k));
/** `@IsOptional()`: null and undefined skip the field's other checks. */
const optional = (x: unknown, ok: (x: unknown) => boolean) => x === undefined || x === null || ok(x);
/** `@IsString() @MaxLength(max)`: validator.js counts a surrogate pair once, so `length <= max` is never looser. */
const stringAtMost = (max: number) => (x: unknown) => typeof x === 'string' && x.length <= max;
const isStringMap = (x: unknown) => stringMapProblem(x) === undefined;
const isAlertStringMap = (x: unknown) => stringMapProblem(x, COUNTED_BY_SERVICE) === undefined;

function acceptAlertmanagerAlert(value: unknown): AlertmanagerAlertDto | undefined {
  if (!isPlainObject(value) || !onlyKeys(value, ALERT_KEYS)) return undefined;
  const ok =
    STATUSES.includes(value.status) &&
    isAlertStringMap(value.labels) &&
    optional(value.annotations, isAlertStringMap) &&
    optional(value.startsAt, isPgTimestamp) &&
    optional(value.endsAt, isPgTimestamp) &&
    optional(value.generatorURL, stringAtMost(4096)) &&
    optional(value.fingerprint, stringAtMost(128));
  return ok ? Object.assign(new AlertmanagerAlertDto(), value) : undefined;
}

function acceptAlertmanagerPayload(value: unknown): AlertmanagerPayloadDto | undefined {
  if (!isPlainObject(value) || !onlyKeys(value, PAYLOAD_KEYS)) return undefined;
  const ok =
    value.version === '4' &&
    optional(value.groupKey, stringAtMost(4096)) &&
    optional(value.truncatedAlerts, Number.isInteger) &&
    STATUSES.includes(value.status) &&
    optional(value.receiver, stringAtMost(500)) &&
    optional(value.groupLabels, isStringMap) &&
    optional(value.commonLabels, isStringMap) &&
    optional(value.commonAnnotations, isStringMap) &&
    optional(value.externalURL, stringAtMost(4096)) &&
    Array.isArray(value.alerts) &&
    value.alerts.length <= ALERTMANAGER_HARD_MAX_ALERTS;
  if (!ok) return undefined;
  const alerts: AlertmanagerAlertDto[] = [];
  for (const a of value.alerts as unknown[]) {
    const alert = acceptAlertmanagerAlert(a);
    if (!alert) return undefined;
    alerts.push(alert);
  }
  return Object.assign(new AlertmanagerPayloadDto(), value, { alerts });
}
