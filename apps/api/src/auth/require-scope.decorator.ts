import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { BearerAuthGuard } from './bearer-auth.guard';
import type { Scope } from './jwt-token';

export const REQUIRED_SCOPE = 'signalgate:required-scope';

/** Route needs a valid bearer token carrying `scope` (or `admin`). */
export const RequireScope = (scope: Scope) => applyDecorators(SetMetadata(REQUIRED_SCOPE, scope), UseGuards(BearerAuthGuard));
