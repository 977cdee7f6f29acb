import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { getRedisConnectionToken, RedisModule } from '@nestjs-modules/ioredis';
import type Redis from 'ioredis';
import { type Env, maskText, maskUrl } from '@app/config';
import { buildRedisOptions } from './redis-options';

/** The injection token of the client (`@InjectRedis()`); bound to `null` when Redis is disabled. */
export const REDIS_CLIENT = getRedisConnectionToken();

/**
 * Redis wiring. Configured: one ioredis client through @nestjs-modules/ioredis, with bounded options, logging
 * its first successful PING (masked URL) and its state changes, not every retry. Not configured (outside strict
 * mode only): the token resolves to `null` and features degrade; readiness reports `disabled`.
 */
@Global()
@Module({})
export class SignalgateRedisModule {
  static forRoot(env: Env): DynamicModule {
    if (!env.REDIS_URL) {
      return {
        module: SignalgateRedisModule,
        providers: [{ provide: REDIS_CLIENT, useValue: null }],
        exports: [REDIS_CLIENT],
      };
    }
    const url = env.REDIS_URL;
    return {
      module: SignalgateRedisModule,
      imports: [
        RedisModule.forRoot({
          type: 'single',
          url,
          options: buildRedisOptions(env),
          onClientReady: (client) => watchRedisClient(client, url),
        }),
      ],
    };
  }
}

export function watchRedisClient(client: Redis, url: string): void {
  const logger = new Logger('Redis');
  const masked = maskUrl(url);
  let connectedOnce = false;
  let lastError: string | undefined;
  client.on('ready', () => {
    client
      .ping()
      .then((reply) => {
        if (!connectedOnce) logger.log(`redis connected url=${masked} ping=${reply}`);
        else logger.log(`redis reconnected url=${masked}`);
        connectedOnce = true;
        lastError = undefined;
      })
      .catch(() => undefined);
  });
  client.on('error', (e: Error) => {
    const msg = maskText(e.message);
    if (msg !== lastError) logger.warn(`redis error url=${masked}: ${msg}`);
    lastError = msg;
  });
}
