import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { BearerAuthGuard } from './bearer-auth.guard';
import type { Scope } from '@app/auth';
import { REQUIRED_SCOPE } from './required-scope.metadata';

/** Route needs a valid bearer token carrying `scope` (or `admin`). */
export const RequireScope = (scope: Scope) => applyDecorators(SetMetadata(REQUIRED_SCOPE, scope), UseGuards(BearerAuthGuard));
