import { HttpException, Logger, NotFoundException, PayloadTooLargeException, ServiceUnavailableException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import type { ArgumentsHost } from '@nestjs/common';
import { errorBody, GlobalExceptionFilter, reasonPhrase } from './global-exception.filter';
import { ResourceNotFoundException, ValidationFailedException } from './api-errors';

function hostFor(id = 'req-42', url = '/api/v1/alerts') {
  const sent: { status?: number; body?: Record<string, unknown>; headers: Record<string, string> } = { headers: {} };
  const reply = {
    getHeader: (k: string) => sent.headers[k.toLowerCase()],
    header(k: string, v: string) {
      sent.headers[k.toLowerCase()] = v;
      return reply;
    },
    status(code: number) {
      sent.status = code;
      return reply;
    },
    send(body: Record<string, unknown>) {
      sent.body = body;
      return reply;
    },
  };
  const request = { id, raw: {}, method: 'POST', url, headers: {} };
  const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => request }) } as unknown as ArgumentsHost;
  return { host, sent };
}

describe('GlobalExceptionFilter', () => {
  const filter = new GlobalExceptionFilter();

  it('turns an unknown error into a generic 500 with the correlation id; the detail goes to the log only', () => {
    const logged: string[] = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((m: unknown) => void logged.push(String(m)));
    const { host, sent } = hostFor();
    filter.catch(new Error('connection to postgresql://app:hunter2@db/x failed'), host);
    expect(sent.status).toBe(500);
    expect(JSON.stringify(sent.body)).not.toMatch(/postgresql|hunter2/);
    expect(sent.body).toMatchObject({ statusCode: 500, request_id: 'req-42' });
    expect(sent.headers['x-request-id']).toBe('req-42');
    expect(logged.join('\n')).toContain('req-42');
    expect(logged.join('\n')).not.toContain('hunter2');
  });

  it('logs the URL with its query values by allow-list: a token in the query string never reaches the log', () => {
    const logged: string[] = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((m: unknown) => void logged.push(String(m)));
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => void logged.push(String(m)));
    filter.catch(new Error('boom'), hostFor('r1', '/api/v1/alerts?limit=5&token=SENTINEL-1&jwt=SENTINEL-2').host);
    filter.catch(new ServiceUnavailableException('database not available yet'), hostFor('r2', '/api/v1/webhooks?access_token=SENTINEL-3').host);
    const text = logged.join('\n');
    expect(text).toContain('limit=5');
    expect(text).toContain('/api/v1/webhooks');
    expect(text).not.toMatch(/SENTINEL/);
  });

  it('keeps per-field validation errors and maps Fastify 413s to clean JSON', () => {
    const a = hostFor();
    filter.catch(new ValidationFailedException({ title: ['must be a string'] }), a.host);
    expect(a.sent.status).toBe(400);
    expect(a.sent.body).toMatchObject({ errors: { title: ['must be a string'] } });
    const b = hostFor();
    filter.catch(new HttpException('FST_ERR_CTP_BODY_TOO_LARGE', 413), b.host);
    expect(b.sent.status).toBe(413);
    expect(b.sent.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large', message: 'request body is larger than the limit' });
  });

  it('keeps the message of its own 413s (a bound the API names)', () => {
    const { host, sent } = hostFor();
    filter.catch(new PayloadTooLargeException('at most 1000 alerts per payload'), host);
    expect(sent.body).toMatchObject({ statusCode: 413, message: 'at most 1000 alerts per payload', request_id: 'req-42' });
  });

  it('a no-route 404 names the path without its query (a signature or a bare token never echoes back)', () => {
    const url = '/api/v1/nope?sig=SENTINEL-1&SENTINEL-2&limit=5';
    const { host, sent } = hostFor('req-42', url);
    filter.catch(new NotFoundException(`Cannot POST ${url}`), host);
    expect(sent.body).toMatchObject({ statusCode: 404, message: 'Cannot POST /api/v1/nope' });
    expect(JSON.stringify(sent.body)).not.toMatch(/SENTINEL/);
    const plain = hostFor('req-43', '/api/v1/nope');
    filter.catch(new NotFoundException('Cannot POST /api/v1/nope'), plain.host);
    expect(plain.sent.body).toMatchObject({ statusCode: 404, message: 'Cannot POST /api/v1/nope' });
  });

  it('a 404 of the API keeps its own message', () => {
    const { host, sent } = hostFor('req-42', '/api/v1/alerts/x?sig=1');
    filter.catch(new ResourceNotFoundException('alert', '00000000-0000-0000-0000-000000000000'), host);
    expect(sent.body?.message).toBe('alert 00000000-0000-0000-0000-000000000000 not found');
  });

  it('answers a database outage 503 with Retry-After and a clear message, logged as a warning', () => {
    const warned: string[] = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => void warned.push(String(m)));
    for (const error of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new QueryFailedError('SELECT 1', [], Object.assign(new Error('terminating connection'), { code: '57P01' })),
      new ServiceUnavailableException('database not available yet'),
    ]) {
      const { host, sent } = hostFor();
      filter.catch(error, host);
      expect(sent.status).toBe(503);
      expect(sent.headers['retry-after']).toBe('5');
      expect(sent.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/database/), request_id: 'req-42' });
    }
    expect(warned).toHaveLength(3);
  });

  it('answers a PostgreSQL data exception 400 with a field message, logged', () => {
    const warned: string[] = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => void warned.push(String(m)));
    const { host, sent } = hostFor();
    filter.catch(new QueryFailedError('SELECT', [], Object.assign(new Error('date/time field value out of range: "0000-01-01"'), { code: '22008' })), host);
    expect(sent.status).toBe(400);
    expect(sent.body).toMatchObject({ statusCode: 400, errors: { request: [expect.stringContaining('out of range')] }, request_id: 'req-42' });
    expect(warned.join('\n')).toMatch(/req-42.*out of range/);
  });

  it('answers a client that closed mid-body 400, logged at debug as an abort, never as a database outage', () => {
    const logged: string[] = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => void logged.push(String(m)));
    jest.spyOn(Logger.prototype, 'error').mockImplementation((m: unknown) => void logged.push(String(m)));
    jest.spyOn(Logger.prototype, 'log').mockImplementation((m: unknown) => void logged.push(String(m)));
    const debugged: string[] = [];
    jest.spyOn(Logger.prototype, 'debug').mockImplementation((m: unknown) => void debugged.push(String(m)));
    // What Node's request stream emits when the socket closes early, as Fastify's body reader hands it on.
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 });
    const { host, sent } = hostFor();
    filter.catch(aborted, host);
    expect(sent.status).toBe(400);
    expect(sent.headers['retry-after']).toBeUndefined();
    expect(sent.body).toMatchObject({ statusCode: 400, message: 'client aborted request' });
    expect(logged).toEqual([]);
    expect(debugged.join('\n')).toMatch(/req-42 POST \/api\/v1\/alerts: client aborted request/);
    // PostgreSQL's own connection reset is still an outage.
    const reset = hostFor();
    filter.catch(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), reset.host);
    expect(reset.sent.status).toBe(503);
  });

  it('answers a statement the client gave up on (pg query_timeout) 503 with Retry-After', () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { host, sent } = hostFor();
    filter.catch(new QueryFailedError('SELECT 1', [], new Error('Query read timeout')), host);
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe('5');
  });
});

describe('errorBody', () => {
  it("names each status by node:http's reason phrase, including the HTTP layer's own 408 (was 'Error')", () => {
    expect(errorBody(408, 'request timed out', 'r1')).toEqual({ statusCode: 408, error: 'Request Timeout', message: 'request timed out', request_id: 'r1' });
    expect(errorBody(431, 'too large', undefined).error).toBe('Request Header Fields Too Large');
    expect(errorBody(429, 'slow down', undefined).error).toBe('Too Many Requests');
    expect(reasonPhrase(599)).toBe('Error');
  });
});
