import { createHash } from 'node:crypto';
import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TokenVerifier } from '@app/auth';
import type { Env } from '@app/config';

/**
 * Only the domain API is limited: probes (and their seed aliases), /api/version, /metrics and the docs never are.
 * Matched against the route template Fastify chose (`/api/v1/alerts/:id`), never the raw URL: Fastify decodes `%XX`
 * before routing, so `/api/v%31/alerts` reaches the same handler while a regex on the raw URL would not limit it.
 */
export function isLimitedRoute(routeUrl: string | undefined): boolean {
  return routeUrl !== undefined && /^\/api\/v1(\/|$)/.test(routeUrl);
}

/**
 * @nestjs/throttler's guard, registered app-wide (APP_GUARD), so it runs before the per-controller bearer guard:
 * requests are counted per token subject when the bearer token verifies, per client IP otherwise (so a flood of
 * bad tokens is limited per IP, and a 401 stays a 401 until the IP is over its limit). Each route counts against one
 * named limit (`default`, or `intake` for the alert intake routes), so the headers carry no throttler suffix.
 */
@Injectable()
export class ApiRateLimitGuard extends ThrottlerGuard {
  private readonly enabled: boolean;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    config: ConfigService<Env, true>,
    private readonly tokens: TokenVerifier,
  ) {
    super(options, storage, reflector);
    this.enabled = config.get('RATE_LIMIT_ENABLED', { infer: true });
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (!this.enabled || context.getType() !== 'http') return Promise.resolve(true);
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return Promise.resolve(!isLimitedRoute(request.routeOptions?.url));
  }

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as FastifyRequest;
    const m = /^Bearer\s+([^\s]+)\s*$/i.exec(request.headers.authorization ?? '');
    if (m) {
      const principal = this.tokens.verify(m[1]);
      if (typeof principal !== 'string') return Promise.resolve(`sub:${principal.sub}`);
    }
    return Promise.resolve(`ip:${normalizeIp(request.ip)}`);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    // One budget per subject (or IP) and named limit across all routes, not one per route (the stock key).
    return `${throttlerName}:${tracker.length > 128 ? createHash('sha256').update(tracker).digest('hex') : tracker}`;
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const { req, res } = this.getRequestResponse(context) as { req: FastifyRequest; res: FastifyReply };
    const tracker = await getTracker(req as unknown as Record<string, unknown>, context);
    const key = generateKey(context, tracker, throttler.name ?? 'default');
    const r = await this.storageService.increment(key, ttl, limit, blockDuration, throttler.name ?? 'default');
    // Reset as a Unix time in seconds, as the seed services sent it; Retry-After in seconds from now.
    void res.header('X-RateLimit-Limit', limit);
    void res.header('X-RateLimit-Remaining', Math.max(0, limit - r.totalHits));
    const resetAtMs = (r as { resetAtMs?: number }).resetAtMs ?? Date.now() + r.timeToExpire * 1000;
    void res.header('X-RateLimit-Reset', Math.ceil(resetAtMs / 1000));
    if (r.isBlocked) {
      void res.header('Retry-After', r.timeToBlockExpire);
      await this.throwThrottlingException(context, { limit, ttl, key, tracker, ...r });
    }
    return true;
  }
}
