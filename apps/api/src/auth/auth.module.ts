import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TokenVerifier } from '@app/auth';
import type { Env } from '@app/config';
import { BearerAuthGuard } from './bearer-auth.guard';

/** The bearer guard and the one token verifier it shares with the rate limiter (one memo of verified tokens). */
@Global()
@Module({
  providers: [
    BearerAuthGuard,
    {
      provide: TokenVerifier,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => new TokenVerifier(config.get('SECRET_KEY', { infer: true })),
    },
  ],
  exports: [BearerAuthGuard, TokenVerifier],
})
export class AuthModule {}
