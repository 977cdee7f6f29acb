import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { hasScope, type Principal, type Scope, TokenVerifier } from '@app/auth';
import { REQUIRED_SCOPE } from './required-scope.metadata';

const PROBLEM_TEXT = {
  malformed: 'bearer token is malformed',
  bad_signature: 'bearer token signature is invalid',
  expired: 'bearer token has expired',
  invalid_claims: 'bearer token lacks the sub or exp claim',
} as const;

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** 401 for a missing/malformed/badly signed/expired token, 403 for a missing scope. Applied per route (/api/v1). */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenVerifier,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) throw new UnauthorizedException('missing bearer token');
    const m = /^Bearer\s+([^\s]+)\s*$/i.exec(header);
    if (!m) throw new UnauthorizedException('Authorization header must be "Bearer <token>"');
    const result = this.tokens.verify(m[1]);
    if (typeof result === 'string') throw new UnauthorizedException(PROBLEM_TEXT[result]);
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    if (scope && !hasScope(result, scope)) throw new ForbiddenException(`token lacks the ${scope} scope`);
    request.principal = result;
    return true;
  }
}
