import { HttpMetrics, httpMethodLabel, statusClass } from './http-metrics';
import { MetricsService } from './metrics.service';

describe('HttpMetrics', () => {
  it('labels by method, route template and status class only, with bounded values', async () => {
    const metrics = new MetricsService();
    const http = new HttpMetrics(metrics);
    http.observe('get', '/api/v1/webhooks/:id', 200, 0.012);
    http.observe('PROPFIND', undefined, 404, 0.001);
    http.observe('POST', '/api/v1/alerts', 503, 0.7);
    const text = await metrics.exposition();
    expect(text).toContain('signalgate_http_requests_total{method="GET",route="/api/v1/webhooks/:id",status_class="2xx"} 1');
    expect(text).toContain('signalgate_http_requests_total{method="OTHER",route="unmatched",status_class="4xx"} 1');
    expect(text).toContain('signalgate_http_request_duration_seconds_bucket{le="1",method="POST",route="/api/v1/alerts",status_class="5xx"} 1');
    expect(text).toContain('signalgate_http_request_duration_seconds_bucket{le="0.5",method="POST",route="/api/v1/alerts",status_class="5xx"} 0');
  });

  it('maps status codes to classes and unknown methods to OTHER', () => {
    expect([101, 204, 302, 429, 500, 599, 0, 700].map(statusClass)).toEqual(['1xx', '2xx', '3xx', '4xx', '5xx', '5xx', 'other', 'other']);
    expect(['get', 'DELETE', 'BREW'].map(httpMethodLabel)).toEqual(['GET', 'DELETE', 'OTHER']);
  });

  it('returns the registered metric when a second feature asks for the same name, and reports tracked pools', async () => {
    const metrics = new MetricsService();
    expect(new HttpMetrics(metrics)).toBeDefined();
    expect(() => new HttpMetrics(metrics)).not.toThrow();
    const untrack = metrics.trackPool('api', () => ({ total: 4, idle: 1, waiting: 2, max: 10 }));
    metrics.trackPool('delivery', () => {
      throw new Error('closed');
    });
    let text = await metrics.exposition();
    expect(text).toContain('signalgate_db_pool_connections{pool="api",state="waiting"} 2');
    expect(text).toContain('signalgate_db_pool_max{pool="api"} 10');
    expect(text).not.toContain('pool="delivery"');
    untrack();
    text = await metrics.exposition();
    expect(text).not.toContain('pool="api"');
  });
});
