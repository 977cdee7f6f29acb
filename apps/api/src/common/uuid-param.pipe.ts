import { ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailedException } from './api-errors';

/** `:id` must be a UUID: 400 with a per-field message, never a database error. */
export const uuidParam = (field = 'id') => new ParseUUIDPipe({ exceptionFactory: () => ValidationFailedException.field(field, 'must be a UUID') });
