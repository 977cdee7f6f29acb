import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { maskText } from '@app/config';
import { DELIVERY_CHANNEL } from './delivery-outbox';

/**
 * A dedicated connection LISTENing for new deliveries (pooled connections cannot LISTEN). Reconnects with a capped
 * backoff; while it is down the workers' polling fallback keeps the queue moving.
 */
export class DeliveryNotifier {
  private readonly logger = new Logger('DeliveryNotifier');
  private client?: Client;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private failures = 0;

  constructor(
    private readonly url: string,
    private readonly applicationName: string,
    private readonly connectTimeoutMs: number,
    private readonly onNotify: () => void,
  ) {}

  start(): void {
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.url,
      application_name: this.applicationName,
      connectionTimeoutMillis: this.connectTimeoutMs,
      keepAlive: true,
    });
    this.client = client;
    client.on('notification', () => this.onNotify());
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${DELIVERY_CHANNEL}`);
      if (this.failures > 0) this.logger.log('LISTEN connection re-established');
      this.failures = 0;
      // Anything committed while we were not listening is picked up now.
      this.onNotify();
    } catch (e) {
      this.lost(client, e as Error);
    }
  }

  private lost(client: Client, e?: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    this.failures += 1;
    const delay = Math.min(10_000, 250 * 2 ** Math.min(this.failures, 6));
    if (this.failures === 1 || this.failures % 10 === 0) {
      this.logger.warn(`LISTEN connection lost${e ? `: ${maskText(e.message)}` : ''}; polling meanwhile, reconnecting in ${delay} ms`);
    }
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
