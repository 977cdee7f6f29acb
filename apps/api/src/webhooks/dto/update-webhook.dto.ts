import { PartialType } from '@nestjs/swagger';
import { CreateWebhookDto } from './create-webhook.dto';

/**
 * PATCH body: every create field optional, with the create rules. Absent leaves a field unchanged; null clears
 * description, min_severity and rate_limit_per_second, and is refused, per field, for the rest (`skipNullProperties: false` keeps null
 * validated instead of skipped). `is_active: true` re-enables a disabled webhook (and resets its failure streak).
 */
export class UpdateWebhookDto extends PartialType(CreateWebhookDto, { skipNullProperties: false }) {}
