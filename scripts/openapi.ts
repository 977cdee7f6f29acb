// `npx ts-node --transpile-only -r tsconfig-paths/register scripts/openapi.ts` (the `npm run openapi` script):
// writes docs/openapi.json from the controllers and DTOs. A spec fails when the committed file differs.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { validateEnv } from '../libs/config/src';
import { AppModule } from '../apps/api/src/app.module';
import { setRoutePrefix } from '../apps/api/src/configure-app';
import { buildOpenApiDocument } from '../apps/api/src/openapi/openapi-document';

export const ROOT = resolve(__dirname, '..');
export const OPENAPI_FILE = 'docs/openapi.json';

/**
 * The document as the running API serves it at /api/docs/openapi.json, generated without a database or Redis:
 * Nest's preview mode builds the module graph (routes, DTO metadata) and instantiates no provider.
 */
export async function generateOpenApiJson(): Promise<string> {
  const { env } = validateEnv({ ENV: 'test', LOG_LEVEL: 'silent' });
  if (!env) throw new Error('default configuration is invalid');
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ env, databaseUrl: 'postgresql://openapi@127.0.0.1:1/unused' }),
    new FastifyAdapter(),
    { preview: true, logger: false, abortOnError: false },
  );
  try {
    setRoutePrefix(app);
    return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  void generateOpenApiJson().then(
    (json) => {
      writeFileSync(resolve(ROOT, OPENAPI_FILE), json);
      process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`openapi: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
