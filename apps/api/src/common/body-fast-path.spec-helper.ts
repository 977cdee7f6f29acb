import type { ArgumentMetadata, Type } from '@nestjs/common';
import fc from 'fast-check';
import { ValidationFailedException } from './api-errors';
import { type BodyFastPath, bodyFastPathOf } from './body-fast-path';
import { nulPaths } from './json-body';
import { createValidationPipe } from './validation.pipe';

/** The global pipe's answer through class-validator alone (the DTO's fast path hidden): the DTO, or the field errors. */
async function throughClassValidator<T>(dto: Type<T>, value: unknown): Promise<{ dto?: T; errors?: Record<string, string[]> }> {
  const body: ArgumentMetadata = { type: 'body', metatype: class Shadow extends (dto as Type<object>) {} };
  try {
    return { dto: (await createValidationPipe().transform(value, body)) as T };
  } catch (e) {
    if (e instanceof ValidationFailedException) return { errors: e.errors };
    throw e;
  }
}

/**
 * Runs a DTO's fast path and class-validator on the same generated JSON bodies (each parses its own copy: the pipe
 * may edit a body): of the bodies that reach it (the pipe refuses any U+0000 first), the fast path may accept only
 * what class-validator accepts, with the same DTO (`same` compares, after the shared checks). Returns how many bodies each accepted, for the caller's not-vacuous bounds.
 */
export async function fastPathAgreesWithClassValidator<T>(
  dto: Type<T>,
  bodies: fc.Arbitrary<string>,
  numRuns: number,
  same: (fast: T, slow: T) => void,
): Promise<{ accepted: number; slowAccepted: number }> {
  const fast = bodyFastPathOf(dto) as BodyFastPath<T>;
  let accepted = 0;
  let slowAccepted = 0;
  await fc.assert(
    fc.asyncProperty(bodies, async (json) => {
      const checked = await throughClassValidator(dto, JSON.parse(json));
      if (checked.dto !== undefined) slowAccepted += 1;
      // The pipe refuses a body holding U+0000 before any fast path sees it (nulPaths), so the fast path never
      // decides one: the generators do produce them (a NUL title was seen), and they must not count against it.
      if (nulPaths(JSON.parse(json)).length) return;
      const quick = fast(JSON.parse(json));
      if (quick === undefined) return;
      accepted += 1;
      expect(checked.errors).toBeUndefined();
      expect(quick).toBeInstanceOf(dto);
      same(quick, checked.dto as T);
    }),
    { numRuns },
  );
  process.stdout.write(`${dto.name} fast path: ${accepted} of ${slowAccepted} valid bodies\n`);
  return { accepted, slowAccepted };
}
