import type { AddressInfo } from 'node:net';
import type { MetricsService } from '@app/observability';
import { startWorkerMetricsServer } from './worker-metrics-server';

describe('startWorkerMetricsServer', () => {
  it('answers /metrics, also with escaped characters in its path (as the API router would); anything else is 404', async () => {
    const metrics = { exposition: () => Promise.resolve('# HELP up 1\n') } as unknown as MetricsService;
    const server = await startWorkerMetricsServer(metrics, 0, '127.0.0.1');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const status = async (path: string, method = 'GET') => {
        const r = await fetch(`${base}${path}`, { method, signal: AbortSignal.timeout(5000) });
        await r.text();
        return r.status;
      };
      expect(await status('/metrics')).toBe(200);
      expect(await status('/m%65trics?x=1')).toBe(200);
      expect(await status('/%6D%65TRICS')).toBe(404);
      expect(await status('/metrics%2F')).toBe(404);
      expect(await status('/m%65trics', 'POST')).toBe(405);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
