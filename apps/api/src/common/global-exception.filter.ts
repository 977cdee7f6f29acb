import { STATUS_CODES } from 'node:http';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { maskText } from '@app/config';
import { maskRequestUrl } from '@app/observability';
import { classifyError } from './dependency-errors';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errors?: Record<string, string[]>;
  request_id?: string;
}

/** The standard reason phrase of a status (node:http's table), e.g. 429 → 'Too Many Requests'. */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** Seconds a client should wait after a 503 for a dependency outage; connections are retried in the background. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/** The error body every 4xx/5xx carries, also used by the HTTP layer's own errors (414, 431) outside Nest. */
export function errorBody(statusCode: number, message: string, requestId: string | undefined): ErrorBody {
  const body: ErrorBody = { statusCode, error: reasonPhrase(statusCode), message: maskText(message) };
  if (requestId) body.request_id = requestId;
  return body;
}

/**
 * The one exception filter (APP_FILTER). Known HTTP errors keep their status and message (validation errors carry a
 * per-field map); Fastify's own errors (body too large, invalid JSON, unsupported media type) arrive here as
 * HttpExceptions and become the same JSON. A dependency outage (PostgreSQL or Redis unreachable) is a 503 with
 * Retry-After, a value PostgreSQL refuses (SQLSTATE class 22) a 400; both are logged. Anything else is a generic 500
 * whose only detail is the correlation id; the cause goes to the (masked) log.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const requestId = requestIdOf(request);
    const body = this.toBody(exception, requestId);
    if (body.statusCode === HttpStatus.NOT_FOUND) body.message = withoutQuery(exception, body.message, request);
    // The URL as the request log shows it: query values by allow-list, so a `?token=` never reaches this line.
    const where = `request_id=${requestId ?? '-'} ${request?.method} ${String(maskRequestUrl(request?.url))}`;
    if (isClientAbort(exception)) {
      // Nobody is left to answer, and nothing is wrong on our side: a slowloris run must not read as an outage.
      this.logger.debug(`${where}: client aborted request`);
    } else if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE) {
      this.logger.warn(`${where}: ${body.message}: ${maskText(exception instanceof Error ? exception.message : String(exception))}`);
      if (!reply.getHeader('retry-after')) reply.header('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
    } else if (body.statusCode >= 500) {
      const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
      this.logger.error(`${where}: ${maskText(detail)}`);
    } else if (!(exception instanceof HttpException)) {
      // A value PostgreSQL refused that validation let through: a 400 for the client, and a gap to close here.
      this.logger.warn(`${where}: rejected by PostgreSQL: ${maskText(exception instanceof Error ? exception.message : String(exception))}`);
    }
    if (body.statusCode === 401 && !reply.getHeader('www-authenticate')) reply.header('WWW-Authenticate', 'Bearer');
    // The correlation id travels in the header too, so a client can quote it even without parsing the body.
    if (requestId && !reply.getHeader('x-request-id')) reply.header('X-Request-Id', requestId);
    void reply.status(body.statusCode).header('Cache-Control', 'no-store').send(body);
  }

  private toBody(exception: unknown, requestId: string | undefined): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const res = exception.getResponse();
      const body: ErrorBody = { statusCode: status, error: reasonPhrase(status), message: exception.message };
      if (typeof res === 'object' && res !== null) {
        const r = res as { message?: unknown; errors?: Record<string, string[]> };
        if (typeof r.message === 'string') body.message = r.message;
        else if (Array.isArray(r.message)) body.message = r.message.map(String).join('; ');
        if (r.errors) body.errors = r.errors;
      } else if (typeof res === 'string') {
        body.message = res;
      }
      // Fastify's own 413 (body over BODY_LIMIT_BYTES); ours (e.g. too many alerts) say what the bound is.
      if (status === HttpStatus.PAYLOAD_TOO_LARGE && !(exception instanceof PayloadTooLargeException)) body.message = 'request body is larger than the limit';
      if (status >= 500 && status !== HttpStatus.SERVICE_UNAVAILABLE) body.message = 'internal error';
      body.message = maskText(body.message);
      if (requestId) body.request_id = requestId;
      return body;
    }
    if (isClientAbort(exception)) return errorBody(400, 'client aborted request', requestId);
    const known = classifyError(exception);
    if (known?.kind === 'outage') return errorBody(503, `${known.dependency} unavailable; retry later`, requestId);
    if (known?.kind === 'data') {
      return { ...errorBody(400, 'validation failed', requestId), errors: { [known.field]: [`rejected by the database: ${maskText(known.message)}`] } };
    }
    return {
      statusCode: 500,
      error: reasonPhrase(500),
      message: `internal error; quote request id ${requestId ?? 'unknown'} when reporting it`,
      request_id: requestId,
    };
  }
}

/**
 * Nest's answer for a path no route matches is `Cannot GET <raw url>`, query included; a query may carry a signature
 * or a bare token (`?sig=...`, `?<token>`), so the message names the routed path only (escapes of unreserved
 * characters decoded, as the router saw it).
 */
function withoutQuery(exception: unknown, message: string, request: FastifyRequest | undefined): string {
  const prefix = `Cannot ${request?.method} `;
  if (!(exception instanceof NotFoundException) || !request || !message.startsWith(prefix)) return message;
  const url = request.url;
  const q = url.indexOf('?');
  return maskText(prefix + (q === -1 ? url : url.slice(0, q)));
}

/**
 * The client closed its connection before sending the whole body: Node's request stream fails with `aborted`
 * (ECONNRESET), which Fastify's body reader hands on as a 400. Without this it would read as a network error of
 * PostgreSQL's (ECONNRESET) and be logged as a database outage.
 */
export function isClientAbort(exception: unknown): boolean {
  if (!(exception instanceof Error) || exception instanceof HttpException) return false;
  const e = exception as Error & { code?: unknown; statusCode?: unknown };
  return e.message === 'aborted' && e.code === 'ECONNRESET' && e.statusCode === 400;
}

/** The id the request log line uses for this request (assignRequestId's on the raw request, else Fastify's). */
function requestIdOf(request: FastifyRequest | undefined): string | undefined {
  if (!request) return undefined;
  const raw = request.raw as { id?: unknown } | undefined;
  if (typeof raw?.id === 'string' || typeof raw?.id === 'number') return String(raw.id);
  return typeof request.id === 'string' ? request.id : undefined;
}
