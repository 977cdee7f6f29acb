// The stock NestJS 11 reference for bench/boot (bench code, not product): what `nest new` plus the usual
// ConfigModule + Joi, TypeORM and Terminus readiness route look like, on the same adapter as Signalgate (Fastify),
// the same PostgreSQL and Redis. Compiled with tsc by bench/boot/run.js and run from node_modules, as stock apps are.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { StockAppModule } from './stock-app.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(StockAppModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
  app.setGlobalPrefix('api');
  app.enableShutdownHooks();
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' });
}
void bootstrap();
