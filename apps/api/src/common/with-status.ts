import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';

/** A result whose HTTP status depends on what happened (201 created vs 200 deduplicated). */
export class WithStatus<T> {
  constructor(
    readonly status: number,
    readonly body: T,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** Applies a `WithStatus` result's status, so controllers stay free of `@Res()`. */
@Injectable()
export class WithStatusInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((result: unknown) => {
        if (!(result instanceof WithStatus)) return result;
        const reply = context.switchToHttp().getResponse<FastifyReply>();
        void reply.status(result.status);
        for (const [k, v] of Object.entries(result.headers)) void reply.header(k, v);
        return result.body;
      }),
    );
  }
}
