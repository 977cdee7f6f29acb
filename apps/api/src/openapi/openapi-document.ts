import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ADMIN_SCOPE, SCOPES } from '@app/auth';

export const DOCS_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/docs/openapi.json';
export const BEARER_SCHEME = 'bearer';

/**
 * The OpenAPI document, scanned from the controllers and DTOs (@nestjs/swagger). Deterministic (no time, no host),
 * so `npm run openapi` can commit it and a spec can compare. The version is the API's (/api/v1), not the build's.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Signalgate API')
    .setDescription(
      'Accepts alerts over HTTP and fans each one out to registered webhooks. Every /api/v1 route takes a bearer JWT ' +
        '(HS256) whose `scope` claim lists the scopes below (`admin` grants all) and answers with X-RateLimit-* headers; ' +
        'a refusal is 429 with Retry-After. Probes, /api/version and /metrics take no token and are never limited.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `Scopes (JWT \`scope\` claim): ${[...SCOPES, ADMIN_SCOPE].join(', ')}` }, BEARER_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config, { operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}` });
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
