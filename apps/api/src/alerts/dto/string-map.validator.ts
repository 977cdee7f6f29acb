import { registerDecorator, type ValidationOptions } from 'class-validator';

/** Hard caps; the configurable (smaller) limits are checked by the service against ALERT_MAX_* settings. */
export const HARD_MAX_ENTRIES = 1000;
/**
 * An alert's labels and annotations: their count is bounded by ALERT_MAX_LABELS, which AlertsService checks and names
 * in its message (the DTO cannot read the setting, and a hard cap here would answer "at most 1000" when the limit is 64).
 * The body limit bounds the work of the per-key checks meanwhile.
 */
export const COUNTED_BY_SERVICE = Number.POSITIVE_INFINITY;
export const MAX_KEY_LENGTH = 128;
export const HARD_MAX_VALUE_LENGTH = 65536;

/** A flat object of string keys (1-128 chars) to string values, at most `maxEntries` of them. */
export function IsStringMap(maxEntries: number = HARD_MAX_ENTRIES, options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) => {
    registerDecorator({
      name: 'isStringMap',
      target: object.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate(value: unknown) {
          return stringMapProblem(value, maxEntries) === undefined;
        },
        defaultMessage(args) {
          return stringMapProblem(args?.value, maxEntries) ?? 'invalid';
        },
      },
    });
  };
}

export function stringMapProblem(value: unknown, maxEntries: number = HARD_MAX_ENTRIES): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of string values';
  // Keys, not entries: no [key, value] pair per entry on a path every label map of every alert takes.
  const keys = Object.keys(value);
  if (keys.length > maxEntries) return `at most ${maxEntries} entries`;
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (k.length < 1 || k.length > MAX_KEY_LENGTH) return `key "${k.slice(0, 40)}" must be 1-${MAX_KEY_LENGTH} characters`;
    if (typeof v !== 'string') return `value of "${k}" must be a string`;
    if (v.length > HARD_MAX_VALUE_LENGTH) return `value of "${k}" is too long`;
  }
  return undefined;
}
