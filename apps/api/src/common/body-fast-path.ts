import type { Type } from '@nestjs/common';

/** Returns the DTO for a body it can prove valid, or undefined to leave the body to class-validator. */
export type BodyFastPath<T> = (value: unknown) => T | undefined;

const fastPaths = new WeakMap<object, BodyFastPath<unknown>>();

/**
 * A DTO's fast path through the global validation pipe, for a hot route: a body the plain checks prove valid becomes
 * the DTO directly; anything else (invalid, or merely unusual) goes through class-validator, which decides and words
 * the errors. The fast path must accept only bodies the decorators accept and return what the pipe would (its
 * property test runs both on generated bodies). Hand-written because class-validator has no compiled mode: its
 * reflective pass was ~7% of the intake route's CPU (bench/intake).
 */
export function WithBodyFastPath<T>(accept: BodyFastPath<T>): ClassDecorator {
  return (target) => {
    fastPaths.set(target, accept);
  };
}

export function bodyFastPathOf(metatype: Type<unknown> | undefined): BodyFastPath<unknown> | undefined {
  return metatype ? fastPaths.get(metatype) : undefined;
}
