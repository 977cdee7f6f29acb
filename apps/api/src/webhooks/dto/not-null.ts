import { applyDecorators } from '@nestjs/common';
import { NotEquals, ValidateIf } from 'class-validator';

/** Refuses null with a message that says so (the type checks after it would only say "must be a string"). */
export function NotNull(): PropertyDecorator {
  return NotEquals(null, { message: 'must not be null' });
}

/**
 * Optional, but not nullable: absent means the default (in a PATCH: unchanged); null is refused. `@IsOptional()`
 * would skip null too, and a PATCH would then write NULL into a NOT NULL column.
 */
export function IsOptionalNotNull(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((_o, value: unknown) => value !== undefined),
    NotNull(),
  );
}
