import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldErrors, ValidationFailedException } from './api-errors';
import { bodyFastPathOf } from './body-fast-path';
import { nulPaths } from './json-body';

/** Flattens class-validator's tree into `{ "labels.env": [...], "alerts.0.status": [...] }`. */
export function flattenValidationErrors(errors: ValidationError[], prefix = '', out: FieldErrors = {}): FieldErrors {
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      // class-validator prefixes every message with the property name; the map key already says it.
      // (A prefix test, not a RegExp built from the name: a hostile key of megabytes made that throw and stall.)
      const lead = `${e.property} `;
      out[fieldKey(path)] = Object.values(e.constraints).map((m) => {
        const text = m.startsWith(lead) ? m.slice(lead.length) : m;
        return e.property.length > MAX_FIELD_KEY ? text.split(e.property).join(fieldKey(e.property)) : text;
      });
    }
    if (e.children?.length) flattenValidationErrors(e.children, path, out);
  }
  return out;
}

/** Field names come from the client: an unknown key of any length is echoed back clipped, never whole. */
const MAX_FIELD_KEY = 200;
function fieldKey(path: string): string {
  return path.length > MAX_FIELD_KEY ? `${path.slice(0, MAX_FIELD_KEY)}…` : path;
}

/**
 * A POST without a body (e.g. acknowledge with no note) validates as `{}`, not as an unknown value. Every string in a
 * body or query, keys included, is refused with U+0000 before any DTO sees it: PostgreSQL cannot store it (22021 in
 * text, 22P05 in jsonb), and one check here covers every present and future field. A DTO with a fast path
 * (`WithBodyFastPath`) skips class-validator for a body that path proves valid.
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
    if (metadata.type === 'body') {
      const dto = bodyFastPathOf(metadata.metatype)?.(value);
      if (dto !== undefined) return Promise.resolve(dto);
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
