import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type Env, maskText } from '@app/config';

export const REQUEST_ID_HEADER = 'x-request-id';
const PROBE_URL = /^\/(api\/(health|ready|version)|metrics)(\/|\?|$)/;

/** Probes and scrapes, polled every few seconds, are not access-logged (a failing check is logged on change). */
export function isProbeUrl(url: string | undefined): boolean {
  return PROBE_URL.test(url ?? '');
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes the caller's X-Request-Id when it is sane, else a new UUID; echoes it on the response. */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
  if (!res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Every serialized log line passes through the masker (CONTRACT §6) before it reaches stdout: whatever a library
 * puts in an error message, a URL's password or a registered secret never gets out.
 */
export function maskingStream(out: NodeJS.WritableStream = process.stdout): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      out.write(maskText(chunk.toString('utf8')));
      done();
    },
  });
}

/** Development on a terminal: pino-pretty in-process (a dev dependency), still writing through the masker. */
function prettyStream(): NodeJS.WritableStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pinoPretty = require('pino-pretty') as (opts: object) => NodeJS.WritableStream;
  return pinoPretty({ singleLine: true, destination: maskingStream() });
}

@Module({})
export class ObservabilityModule {
  static forRoot(env: Env): DynamicModule {
    const pretty = env.LOG_PRETTY && process.stdout.isTTY;
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: [
            {
              level: env.LOG_LEVEL,
              base: { service: 'signalgate', env: env.ENV },
              genReqId: (req: IncomingMessage, res: ServerResponse) => requestIdFor(req, res),
              redact: {
                paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'],
                censor: '***',
              },
              // Probes are polled every few seconds; logging each one would drown everything else.
              // Under Fastify the middleware sees the URL with the mount prefix stripped: test the original one.
              autoLogging: { ignore: (req: IncomingMessage) => isProbeUrl((req as { originalUrl?: string }).originalUrl ?? req.url) },
            },
            pretty ? prettyStream() : maskingStream(),
          ] as never,
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
