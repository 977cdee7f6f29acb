import { createServer, type Server } from 'node:http';
import { canonicalRequestPath, type MetricsService } from '@app/observability';

/**
 * `cli worker` has no HTTP server: this tiny listener gives Prometheus its `/metrics` (and nothing else: every
 * other path is 404). Requests are bounded (timeouts, GET only, no body read); a failing collector answers 500.
 */
export async function startWorkerMetricsServer(metrics: MetricsService, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    // `/m%65trics` is `/metrics`, as the API's router would see it.
    const path = canonicalRequestPath(req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res
        .writeHead(path === '/metrics' ? 405 : 404, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end(path === '/metrics' ? 'method not allowed\n' : 'not found\n');
      return;
    }
    metrics.exposition().then(
      (body) => {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n'),
    );
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
