import { ConflictException } from '@nestjs/common';

/**
 * 409 for work that would go to a disabled webhook (test ping, manual retry of a delivery, recovery of failed ones): the workers only claim
 * deliveries of active webhooks, so accepting it would queue something that never goes out.
 */
export class WebhookDisabledException extends ConflictException {
  constructor() {
    super('webhook is disabled; PATCH it with is_active=true first');
  }
}
