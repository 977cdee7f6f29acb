import { ArrayMaxSize, ArrayUnique, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Length, Max, MaxLength, Min } from 'class-validator';
import { EVENT_TYPES, MAX_RATE_LIMIT_PER_SECOND, SEVERITIES } from '@app/delivery';
import { IsOptionalNotNull, NotNull } from './not-null';
import { IsWebhookHeaders } from './webhook-headers.validator';
import { IsMatcherList } from './webhook-matchers.validator';
import { MATCHER_LIMITS } from '@app/routing';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const WEBHOOK_URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_valid_protocol: true };

/** Null is refused except where it means "none" (description, min_severity, rate_limit_per_second); UpdateWebhookDto inherits the rules. */
export class CreateWebhookDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @NotNull()
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ maxLength: 2048, format: 'uri', example: 'https://hooks.example.com/signalgate' })
  @NotNull()
  @IsString()
  @MaxLength(2048)
  @IsUrl(WEBHOOK_URL_OPTIONS, { message: 'must be an http:// or https:// URL' })
  url: string;

  @ApiPropertyOptional({ type: String, maxLength: 2000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  /** Empty or absent: every alert event. */
  @ApiPropertyOptional({ type: [String], enum: EVENT_TYPES, description: 'Empty or absent: every alert event' })
  @IsOptionalNotNull()
  @ArrayMaxSize(EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true, message: `each value must be one of ${EVENT_TYPES.join(', ')}` })
  event_types?: string[];

  @ApiPropertyOptional({ type: String, enum: [...SEVERITIES, null], nullable: true })
  @IsOptional()
  @IsIn(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` })
  min_severity?: string | null;

  /** Empty or absent: every alert. */
  @ApiPropertyOptional({
    type: 'array',
    maxItems: MATCHER_LIMITS.count,
    items: {
      oneOf: [
        { type: 'string', example: 'team="db"', description: 'Alertmanager matcher syntax: name, then = != =~ !~, then a value (optionally "quoted")' },
        {
          type: 'object',
          required: ['name', 'value'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', maxLength: MATCHER_LIMITS.name, pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$' },
            value: { type: 'string', maxLength: MATCHER_LIMITS.value },
            is_regex: { type: 'boolean', default: false },
            is_equal: { type: 'boolean', default: true },
          },
        },
      ],
    },
    example: ['team="db"', 'env=~"prod|staging"'],
    description:
      `Label matchers, ANDed (Alertmanager semantics: a missing label is "", regexes are RE2, fully anchored); severity and source match as labels where the alert has no label of that name. ` +
      `Empty or absent: every alert. At most ${MATCHER_LIMITS.count}; name ≤ ${MATCHER_LIMITS.name}, value or regex ≤ ${MATCHER_LIMITS.value} characters. Returned as strings (name="value").`,
  })
  @IsOptionalNotNull()
  @IsMatcherList()
  matchers?: unknown[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'Custom headers sent with each delivery' })
  @IsOptionalNotNull()
  @IsWebhookHeaders()
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    maximum: MAX_RATE_LIMIT_PER_SECOND,
    nullable: true,
    description: 'Requests per second to this webhook from every worker together (evenly spaced); null or absent: only the in-flight caps',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RATE_LIMIT_PER_SECOND)
  rate_limit_per_second?: number | null;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptionalNotNull()
  @IsBoolean()
  is_active?: boolean;
}
