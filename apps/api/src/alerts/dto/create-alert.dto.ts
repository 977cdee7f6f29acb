import { IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { SEVERITIES, type Severity } from '@app/delivery';
import { WithBodyFastPath } from '../../common/body-fast-path';
import { IsPgTimestamp, isPgTimestamp } from '../../common/pg-timestamp.validator';
import { COUNTED_BY_SERVICE, IsStringMap, stringMapProblem } from './string-map.validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const FINGERPRINT_RE = /^[A-Za-z0-9._:-]{1,128}$/;

@WithBodyFastPath(acceptCreateAlert)
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
  @IsStringMap(COUNTED_BY_SERVICE)
  labels?: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsStringMap(COUNTED_BY_SERVICE)
  annotations?: Record<string, string>;

  /** Given, or derived from the sorted labels (else title + source). */
  @ApiPropertyOptional({ pattern: '^[A-Za-z0-9._:-]{1,128}$', description: 'Dedup key; derived from the sorted labels (else title + source) when absent' })
  @IsOptional()
  @IsString()
  @Matches(FINGERPRINT_RE, { message: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -' })
  fingerprint?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsPgTimestamp()
  starts_at?: string;
}

const KEYS = new Set(['title', 'severity', 'source', 'description', 'labels', 'annotations', 'fingerprint', 'starts_at']);
/** Characters validator.js's `isLength` does not count one by one (surrogate pairs, variation selectors). */
const NOT_COUNTED_ONE_BY_ONE = /[\uD800-\uDFFF]|\uFE0E|\uFE0F/;

/** `@Length(min, max)` where the string's length is what class-validator counts; anything else is left to it. */
const lengthWithin = (x: unknown, min: number, max: number) => typeof x === 'string' && x.length >= min && x.length <= max && !NOT_COUNTED_ONE_BY_ONE.test(x);
/** `@IsOptional()`: null and undefined skip the field's other checks. */
const optional = (x: unknown, ok: (x: unknown) => boolean) => x === undefined || x === null || ok(x);

/** The decorators above as plain checks, for the usual valid body (WithBodyFastPath); anything else goes to them. */
function acceptCreateAlert(value: unknown): CreateAlertDto | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) if (!KEYS.has(key)) return undefined;
  const ok =
    lengthWithin(v.title, 1, 500) &&
    (SEVERITIES as readonly unknown[]).includes(v.severity) &&
    optional(v.source, (x) => lengthWithin(x, 1, 200)) &&
    optional(v.description, (x) => typeof x === 'string' && x.length <= 10000) &&
    optional(v.labels, (x) => stringMapProblem(x, COUNTED_BY_SERVICE) === undefined) &&
    optional(v.annotations, (x) => stringMapProblem(x, COUNTED_BY_SERVICE) === undefined) &&
    optional(v.fingerprint, (x) => typeof x === 'string' && FINGERPRINT_RE.test(x)) &&
    optional(v.starts_at, isPgTimestamp);
  return ok ? Object.assign(new CreateAlertDto(), v) : undefined;
}
