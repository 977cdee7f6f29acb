import type { FastifyReply } from 'fastify';

/** A result whose HTTP status depends on what happened (201 created vs 200 deduplicated). */
export class WithStatus<T> {
  constructor(
    readonly status: number,
    readonly body: T,
    readonly headers: Record<string, string> = {},
  ) {}
}

/**
 * Applies a `WithStatus` result's status and headers to the reply and returns its body (the controller takes the
 * reply with `@Res({ passthrough: true })`). Not an interceptor: a route with any interceptor pays Nest's per-request
 * AsyncResource binding and RxJS pipeline, a measurable share of the intake route's CPU (bench/intake).
 */
export function applyStatus<T>(reply: FastifyReply, result: WithStatus<T>): T {
  void reply.status(result.status);
  for (const [k, v] of Object.entries(result.headers)) void reply.header(k, v);
  return result.body;
}
