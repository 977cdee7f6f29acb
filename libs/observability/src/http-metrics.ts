import type { Counter, Histogram } from 'prom-client';
import type { MetricsService } from './metrics.service';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Buckets around seed 002's 500 ms p99 target, fine below it. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * HTTP request figures. Labels are bounded: the method (unknown ones become `OTHER`), the route template Fastify
 * matched (`/api/v1/webhooks/:id`, never the raw path; `unmatched` for 404s outside any route) and the status
 * class (`2xx`...`5xx`).
 */
export class HttpMetrics {
  private readonly duration: Histogram<'method' | 'route' | 'status_class'>;
  private readonly requests: Counter<'method' | 'route' | 'status_class'>;

  constructor(metrics: MetricsService) {
    this.duration = metrics.histogram({
      name: 'signalgate_http_request_duration_seconds',
      help: 'HTTP request duration, from the request being read to the response being sent.',
      labelNames: ['method', 'route', 'status_class'],
      buckets: HTTP_DURATION_BUCKETS,
    });
    this.requests = metrics.counter({
      name: 'signalgate_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status class.',
      labelNames: ['method', 'route', 'status_class'],
    });
  }

  observe(method: string, routeTemplate: string | undefined, statusCode: number, seconds: number): void {
    const labels = { method: httpMethodLabel(method), route: routeTemplate || 'unmatched', status_class: statusClass(statusCode) };
    this.duration.observe(labels, seconds);
    this.requests.inc(labels);
  }
}

export function httpMethodLabel(method: string): string {
  const m = method.toUpperCase();
  return METHODS.has(m) ? m : 'OTHER';
}

export function statusClass(code: number): string {
  return code >= 100 && code < 600 ? `${Math.floor(code / 100)}xx` : 'other';
}
