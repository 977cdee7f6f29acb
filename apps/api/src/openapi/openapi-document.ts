import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ADMIN_SCOPE, SCOPES } from '@app/auth';
import { OPENAPI_VERSION, toOpenApi31 } from './openapi-31';

export const DOCS_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/docs/openapi.json';
export const BEARER_SCHEME = 'bearer';

/** The headers every response of a rate-limited (/api/v1) route carries. */
export const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { description: 'Requests allowed in the window', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the window', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'When the window ends (Unix time, seconds)', schema: { type: 'integer' } },
} as const;

const ERROR_BODY = { 'application/json': { schema: { $ref: '#/components/schemas/ApiErrorDto' } } };

/** What any request with a body can be answered, whatever its DTO: said once here rather than on every route. */
const BODY_ERRORS: Record<string, ResponseObject> = {
  '413': { description: 'The body is larger than BODY_LIMIT_BYTES (or over a bound the route names)', content: ERROR_BODY },
  '415': { description: 'A Content-Type other than application/json', content: ERROR_BODY },
};

/** Adds, on every /api/v1 operation, the rate-limit headers to its success responses and 413/415 to its writes. */
export function withEdgeResponses(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item[method] as OperationObject | undefined;
      if (!op) continue;
      for (const [status, response] of Object.entries(op.responses)) {
        if (response && /^2\d\d$/.test(status) && !('$ref' in response)) response.headers = { ...RATE_LIMIT_HEADERS, ...(response.headers ?? {}) };
      }
      if (method !== 'get' && method !== 'delete') for (const [status, response] of Object.entries(BODY_ERRORS)) op.responses[status] ??= response;
    }
  }
  return document;
}

/**
 * The OpenAPI document, scanned from the controllers and DTOs (@nestjs/swagger). Deterministic (no time, no host),
 * so `npm run openapi` can commit it and a spec can compare. The version is the API's (/api/v1), not the build's.
 * OpenAPI 3.1 (JSON Schema 2020-12 schemas), for its `webhooks` section: the events sent, from the event catalogue.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Signalgate API')
    .setDescription(
      'Accepts alerts over HTTP and fans each one out to registered webhooks. Every /api/v1 route takes a bearer JWT ' +
        '(HS256) whose `scope` claim lists the scopes below (`admin` grants all) and answers with X-RateLimit-* headers; ' +
        'a refusal is 429 with Retry-After. Probes, /api/version and /metrics take no token and are never limited. ' +
        'The events POSTed to webhooks are described under `webhooks` and served by GET /api/v1/event-types.',
    )
    .setOpenAPIVersion(OPENAPI_VERSION)
    .setVersion('1.0')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `Scopes (JWT \`scope\` claim): ${[...SCOPES, ADMIN_SCOPE].join(', ')}` },
      BEARER_SCHEME,
    )
    .build();
  const scanned = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  return toOpenApi31(withEdgeResponses(scanned));
}

/** UI at /api/docs, JSON at /api/docs/openapi.json; the document is built on first request, not at boot. */
export function setupOpenApi(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup(DOCS_PATH, app, () => (document ??= buildOpenApiDocument(app)), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'Signalgate API',
  });
}
