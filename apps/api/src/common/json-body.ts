import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationFailedException } from './api-errors';

/** Far beyond any real payload (Alertmanager's is 4 deep), far below what overflows class-transformer's recursion. */
export const MAX_JSON_DEPTH = 32;

/** Depth of nested arrays/objects, counted without recursion (the value may be nested a million levels). */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  // Two parallel stacks rather than a [value, depth] pair per node: every request body takes this walk.
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(v)) {
      if (typeof child === 'object' && child !== null) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** Whether any string in the value, key or value, holds U+0000: the cheap walk every body takes (no paths built). */
function holdsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    for (const k of Object.keys(v)) {
      if (k.includes('\u0000')) return true;
      stack.push((v as Record<string, unknown>)[k]);
    }
  }
  return false;
}

/** Paths (`labels.env`, `alerts.0.labels.<key>`) of strings holding U+0000, in keys or values; PostgreSQL refuses them. */
export function nulPaths(value: unknown, max = 10): string[] {
  // The usual body holds none: a walk without paths says so, and only a body that does pays for naming them.
  if (!holdsNul(value)) return [];
  const found: string[] = [];
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length && found.length < max) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) found.push(path || 'body');
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    for (const [k, child] of Object.entries(v)) {
      const key = k.split('\u0000').join('\\u0000');
      const childPath = path ? `${path}.${key}` : key;
      if (k.includes('\u0000')) found.push(childPath);
      else stack.push([child, childPath]);
    }
  }
  return found.sort();
}

type Done = (err: Error | null, body?: unknown) => void;

/**
 * The one `application/json` parser: Fastify's own (with prototype-poisoning protection), plus two changes. An empty
 * body is no body, since many clients and generated SDKs send `Content-Type: application/json` on every request,
 * including body-less actions (resolve, retry, rotate-secret); routes that need a body then fail validation per
 * field. And nesting is capped here, before anything walks the value recursively.
 */
export function jsonBodyParser(fastify: FastifyInstance) {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  return (req: FastifyRequest, body: Buffer, done: Done): void => {
    const text = body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    parse(req, text, (err: Error | null, value?: unknown) => {
      if (err) return done(err);
      if (jsonDepthExceeds(value, MAX_JSON_DEPTH)) {
        return done(ValidationFailedException.field('body', `JSON is nested deeper than ${MAX_JSON_DEPTH} levels`));
      }
      done(null, value);
    });
  };
}
