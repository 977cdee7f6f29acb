import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Env, maskText } from '@app/config';
import { DatabaseConnector, resolveDatabaseUrl, type ResolvedDatabase } from '@app/database';
import { AppModule } from './app.module';
import { configureApp, createFastifyAdapter } from './configure-app';
import { installShutdownSequence } from './shutdown-sequence';

export interface StartedApi {
  app: NestFastifyApplication;
  database: ResolvedDatabase;
}

/** Builds the configured app (not listening). Used by `runApi` and by the e2e tests. */
export async function createApi(env: Env, databaseUrl: string): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ env, databaseUrl }), createFastifyAdapter(env), {
    bufferLogs: true,
    abortOnError: false,
  });
  return configureApp(app);
}

export interface RunApiOptions {
  /**
   * Called once, when the database is first ready (listening, booted: main.ts writes the compile cache then; not
   * later, so that a process stopped soon after its first 200, like a deploy's probe run, leaves a cache behind).
   */
  afterReady?: () => void;
}

export async function runApi(env: Env, options: RunApiOptions = {}): Promise<void> {
  const note = (msg: string) => process.stderr.write(`signalgate api: ${maskText(msg)}\n`);
  let database: ResolvedDatabase | undefined;
  try {
    database = await resolveDatabaseUrl(env, note);
    const app = await createApi(env, database.url);
    app.get(DatabaseConnector).start();
    await app.listen({ port: env.PORT, host: env.HOST });
    note(`listening on ${listenAddress(app, env)}`);
    const { afterReady } = options;
    if (afterReady) {
      void app
        .get(DatabaseConnector)
        .whenReady()
        .then(() => setImmediate(afterReady));
    }
    const embedded = database.embedded;
    installShutdownSequence(app, {
      delayMs: env.SHUTDOWN_DELAY_MS,
      timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      note,
      afterClose: async () => {
        if (embedded?.owned) await embedded.stop();
      },
    });
  } catch (e) {
    note(`failed to start: ${e instanceof Error ? e.message : String(e)}`);
    if (database?.embedded?.owned) await database.embedded.stop().catch(() => undefined);
    process.exit(1);
  }
}

/** Where the listener is bound, as `http://host:port` (the real port when PORT=0). */
function listenAddress(app: NestFastifyApplication, env: Env): string {
  const bound = app.getHttpServer().address();
  if (bound && typeof bound === 'object') {
    const host = bound.family === 'IPv6' || bound.address.includes(':') ? `[${bound.address}]` : bound.address;
    return `http://${host}:${bound.port}`;
  }
  return `http://${env.HOST}:${env.PORT}`;
}
