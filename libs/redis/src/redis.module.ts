import { DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { getRedisConnectionToken, RedisModule } from '@nestjs-modules/ioredis';
import type Redis from 'ioredis';
import { type Env, maskText, maskUrl } from '@app/config';
import { LiveEventBus } from './live-event-bus';
import { buildRedisOptions } from './redis-options';

/** The injection token of the client (`@InjectRedis()`); bound to `null` when Redis is disabled. */
export const REDIS_CLIENT = getRedisConnectionToken();

/**
 * What REDIS_CLIENT resolves to: the client, or `null` when Redis is not configured (allowed outside strict mode).
 * Inject it as this type (never `@Optional()`): a missing provider is a wiring mistake and fails at boot.
 */
export type RedisClientValue = Redis | null;

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
        providers: [{ provide: REDIS_CLIENT, useValue: null }, LiveEventBus],
        exports: [REDIS_CLIENT, LiveEventBus],
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
      providers: [RedisReconnectStopper, LiveEventBus],
      exports: [LiveEventBus],
    };
  }
}

/**
 * @nestjs-modules/ioredis only calls `quit()` on shutdown, which fails while the client is reconnecting (Redis
 * down): the reconnect timer then keeps the process alive for ever. Disconnecting stops it.
 */
@Injectable()
class RedisReconnectStopper implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    // Let the package's QUIT go first when it can; then make sure no reconnection is pending.
    await new Promise((r) => setImmediate(r));
    if (this.client.status !== 'end') this.client.disconnect(false);
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
