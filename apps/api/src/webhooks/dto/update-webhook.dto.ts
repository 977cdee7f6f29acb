import { ArrayMaxSize, ArrayUnique, IsBoolean, IsIn, IsOptional, IsString, IsUrl, Length, MaxLength, ValidateIf } from 'class-validator';
import { EVENT_TYPES, SEVERITIES } from '@app/delivery';
import { WEBHOOK_URL_OPTIONS } from './create-webhook.dto';
import { IsWebhookHeaders } from './webhook-headers.validator';

/** Every field optional; `is_active: true` re-enables a disabled webhook (and resets its failure streak). */
export class UpdateWebhookDto {
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(WEBHOOK_URL_OPTIONS, { message: 'must be an http:// or https:// URL' })
  url?: string;

  @ValidateIf((_o, v) => v !== null)
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @IsOptional()
  @ArrayMaxSize(EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true, message: `each value must be one of ${EVENT_TYPES.join(', ')}` })
  event_types?: string[];

  @ValidateIf((_o, v) => v !== null)
  @IsOptional()
  @IsIn(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` })
  min_severity?: string | null;

  @IsOptional()
  @IsWebhookHeaders()
  headers?: Record<string, string>;

  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}
