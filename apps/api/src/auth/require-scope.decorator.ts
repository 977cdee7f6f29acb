import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { BearerAuthGuard } from './bearer-auth.guard';
import type { Scope } from '@app/auth';
import { ApiErrorDto } from '../common/api-error.dto';
import { BEARER_SCHEME, RATE_LIMIT_HEADERS } from '../openapi/openapi-document';
import { REQUIRED_SCOPE } from './required-scope.metadata';

/**
 * Route needs a valid bearer token carrying `scope` (or `admin`). Also documents it: the bearer scheme, the scope
 * (`x-required-scope`; the security requirement itself stays `bearer: []`), and the errors every /api/v1 route
 * can answer (400, 401, 403, 429 with Retry-After, 503 with Retry-After).
 */
export const RequireScope = (scope: Scope) =>
  applyDecorators(
    SetMetadata(REQUIRED_SCOPE, scope),
    UseGuards(BearerAuthGuard),
    ApiBearerAuth(BEARER_SCHEME),
    ApiExtension('x-required-scope', scope),
    ApiBadRequestResponse({ description: 'Invalid input: a per-field `errors` map', type: ApiErrorDto }),
    ApiUnauthorizedResponse({ description: 'Missing, malformed, badly signed or expired bearer token', type: ApiErrorDto }),
    ApiForbiddenResponse({ description: `The token lacks the \`${scope}\` scope (or \`admin\`)`, type: ApiErrorDto }),
    ApiTooManyRequestsResponse({
      description: 'Over the rate limit of the token subject (or client IP)',
      type: ApiErrorDto,
      headers: { ...RATE_LIMIT_HEADERS, 'Retry-After': { description: 'Seconds until the window ends', schema: { type: 'integer' } } },
    }),
    ApiServiceUnavailableResponse({
      description: 'A dependency (PostgreSQL) is unavailable',
      type: ApiErrorDto,
      headers: { 'Retry-After': { schema: { type: 'integer' } } },
    }),
  );
