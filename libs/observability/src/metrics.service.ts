import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The process's Prometheus registry: default process metrics plus whatever features register (health checks,
 * deliveries...). One registry per app instance rather than prom-client's global one, so that several apps in
 * one test process do not collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition. Collectors registered here must never throw: one failure fails the whole scrape. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }
}
