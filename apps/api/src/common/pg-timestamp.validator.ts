import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * The timestamps the API takes: `YYYY-MM-DD`, optionally `THH:MM[:SS[.fraction]]` and `Z` or `±HH[:MM]`. Narrower
 * than ISO 8601 on purpose: week dates (`2024-W05-3`), ordinal dates, signed or 5+ digit years and year 0000 pass
 * class-validator's `IsISO8601` but PostgreSQL (22007/22008) or `Date` reject them, so every one becomes a 400 here
 * instead of a 500 at the query.
 */
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2})(?::?(\d{2}))?)?)?$/i;

export const PG_TIMESTAMP_MESSAGE =
  'must be an ISO 8601 date or date-time (YYYY-MM-DD[THH:MM[:SS[.fff]][Z|±HH:MM]]) with a real calendar date, years 0001-9999';

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** True when both PostgreSQL's timestamptz input and `Date.parse` accept `value` as the same kind of instant. */
export function isPgTimestamp(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = TIMESTAMP_RE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return false;
  // PostgreSQL takes UTC offsets up to ±15:59.
  if (m[8] !== undefined && (Number(m[8]) > 15 || Number(m[9] ?? 0) > 59)) return false;
  return !Number.isNaN(Date.parse(value));
}

export function IsPgTimestamp(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) => {
    registerDecorator({
      name: 'isPgTimestamp',
      target: object.constructor,
      propertyName: propertyName as string,
      options: { message: PG_TIMESTAMP_MESSAGE, ...options },
      validator: { validate: (value: unknown) => isPgTimestamp(value) },
    });
  };
}
