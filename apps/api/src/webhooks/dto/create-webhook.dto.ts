import { ArrayMaxSize, ArrayUnique, IsBoolean, IsIn, IsOptional, IsString, IsUrl, Length, MaxLength } from 'class-validator';
import { EVENT_TYPES, SEVERITIES } from '@app/delivery';
import { IsWebhookHeaders } from './webhook-headers.validator';

export const WEBHOOK_URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_valid_protocol: true };

export class CreateWebhookDto {
  @IsString()
  @Length(1, 200)
  name: string;

  @IsString()
  @MaxLength(2048)
  @IsUrl(WEBHOOK_URL_OPTIONS, { message: 'must be an http:// or https:// URL' })
  url: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  /** Empty or absent: every alert event. */
  @IsOptional()
  @ArrayMaxSize(EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true, message: `each value must be one of ${EVENT_TYPES.join(', ')}` })
  event_types?: string[];

  @IsOptional()
  @IsIn(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` })
  min_severity?: string;

  @IsOptional()
  @IsWebhookHeaders()
  headers?: Record<string, string>;

  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}
