import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, PayloadTooLargeException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import type { Env } from '@app/config';

/**
 * Bounds the work of one Alertmanager request: each alert is a write and a fan-out to every webhook, so a payload
 * over ALERTMANAGER_MAX_ALERTS is refused with 413 before validation transforms a single alert (interceptors run
 * after the auth guard and before pipes).
 */
@Injectable()
export class AlertmanagerBoundInterceptor implements NestInterceptor {
  private readonly maxAlerts: number;

  constructor(config: ConfigService<Env, true>) {
    this.maxAlerts = config.get('ALERTMANAGER_MAX_ALERTS', { infer: true });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body = context.switchToHttp().getRequest<FastifyRequest>().body as { alerts?: unknown } | undefined;
    if (Array.isArray(body?.alerts) && body.alerts.length > this.maxAlerts) {
      throw new PayloadTooLargeException(
        `${body.alerts.length} alerts in one payload; at most ${this.maxAlerts} (ALERTMANAGER_MAX_ALERTS) are accepted: set max_alerts on Alertmanager's webhook_config`,
      );
    }
    return next.handle();
  }
}
