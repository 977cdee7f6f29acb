import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldErrors, ValidationFailedException } from './api-errors';
import { nulPaths } from './json-body';

/** Flattens class-validator's tree into `{ "labels.env": [...], "alerts.0.status": [...] }`. */
export function flattenValidationErrors(errors: ValidationError[], prefix = '', out: FieldErrors = {}): FieldErrors {
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      // class-validator prefixes every message with the property name; the map key already says it.
      out[path] = Object.values(e.constraints).map((m) => m.replace(new RegExp(`^${escapeRe(e.property)} `), ''));
    }
    if (e.children?.length) flattenValidationErrors(e.children, path, out);
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A POST without a body (e.g. acknowledge with no note) validates as `{}`, not as an unknown value. Every string in a
 * body or query, keys included, is refused with U+0000 before any DTO sees it: PostgreSQL cannot store it (22021 in
 * text, 22P05 in jsonb), and one check here covers every present and future field.
 */
class ApiValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && (value === undefined || value === null)) value = {};
    if (metadata.type === 'body' || metadata.type === 'query') {
      const nul = nulPaths(value);
      if (nul.length) {
        throw new ValidationFailedException(Object.fromEntries(nul.map((p) => [p, ['must not contain the NUL character (\\u0000)']])));
      }
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/** The global pipe: unknown fields rejected, types transformed, failures as a per-field 400. */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedException(flattenValidationErrors(errors)),
  });
}
