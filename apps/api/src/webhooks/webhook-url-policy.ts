import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type Env, parseCidrList } from '@app/config';
import { SsrfPolicy } from '@app/delivery';
import { ValidationFailedException } from '../common/api-errors';

/**
 * The delivery worker's SSRF rules applied at webhook create/PATCH, so a URL whose host is a literal address in a
 * blocked range is refused up front (400 naming the rule) instead of failing at every delivery. It is a service, not
 * a class-validator decorator, because the rules depend on STRICT and WEBHOOK_ALLOWED_CIDRS, which a decorator
 * cannot reach without class-validator's process-global container. Hostnames are still checked at connect time.
 */
@Injectable()
export class WebhookUrlPolicy {
  private readonly ssrf: SsrfPolicy;

  constructor(config: ConfigService<Env, true>) {
    this.ssrf = new SsrfPolicy(config.get('STRICT', { infer: true }), parseCidrList(config.get('WEBHOOK_ALLOWED_CIDRS', { infer: true })) ?? []);
  }

  assertAllowed(url: string | undefined): void {
    if (url === undefined) return;
    const blocked = this.ssrf.checkUrl(url);
    if (blocked) {
      throw ValidationFailedException.field(
        'url',
        `host ${blocked.address} is in the ${blocked.rule} range, refused in strict mode (public unicast only, plus WEBHOOK_ALLOWED_CIDRS)`,
      );
    }
  }
}
