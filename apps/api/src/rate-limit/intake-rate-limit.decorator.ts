import { type ExecutionContext, SetMetadata } from '@nestjs/common';

const INTAKE_RATE_LIMIT = 'signalgate:intake-rate-limit';

/** Counts the route against the `intake` limit (RATE_LIMIT_INTAKE_LIMIT) instead of the default one. */
export const IntakeRateLimit = () => SetMetadata(INTAKE_RATE_LIMIT, true);

export function isIntakeRoute(context: ExecutionContext): boolean {
  return Reflect.getMetadata(INTAKE_RATE_LIMIT, context.getHandler()) === true;
}
