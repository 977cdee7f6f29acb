import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { maskText } from '@app/config';
import { bounded } from './redis-l2';

/** How often the bus connection is PINGed: a Redis that hangs without closing the socket is noticed this fast. */
export const BUS_HEARTBEAT_MS = 1000;
const BUS_CHANNEL = 'signalgate:cache:invalidate:';

export interface BusMessage {
  origin: string;
  namespace?: string;
  key?: string;
}

export interface BusListener {
  /** Another process (or this one: compare `origin`) dropped namespace/key. */
  message(message: BusMessage): void;
  /** Subscribed; `afterOutage` when invalidations may have been missed while it was down. */
  up(afterOutage: boolean): void;
  /** The subscription connection closed or stopped answering. */
  down(why: string, wasUp: boolean): void;
}

/**
 * Invalidations between processes over Redis pub/sub on a dedicated connection (a subscribed connection can run no
 * other command). The subscription is (re)made on every `ready` of that connection and a heartbeat PING notices a
 * Redis that hangs with the socket open. Publishing goes through the shared bounded client.
 */
export class InvalidationBus {
  private readonly logger = new Logger('Cache');
  private readonly channel: string;
  private subscriber: Redis | null = null;
  private heartbeat?: NodeJS.Timeout;
  private ready = false;
  private wasDown = false;

  constructor(
    private readonly redis: Redis,
    scope: string,
    private readonly listener: BusListener,
  ) {
    this.channel = BUS_CHANNEL + scope;
  }

  get available(): boolean {
    return this.ready;
  }

  /** Never throws, whether Redis is up or not at boot: a failed subscription is logged and retried on reconnect. */
  start(): void {
    if (this.subscriber) return;
    const sub = this.redis.duplicate({ connectionName: 'signalgate-cache-bus', autoResubscribe: false });
    this.subscriber = sub;
    sub.on('error', () => undefined); // the main client's watcher already logs Redis errors
    sub.on('ready', () => {
      sub
        .subscribe(this.channel)
        .then(() => this.markUp())
        .catch((e: unknown) => this.logger.warn(`cache bus subscribe failed: ${maskText(String(e))}`));
    });
    sub.on('close', () => this.markDown('disconnected'));
    // A hung Redis keeps the socket open and sends nothing: only a PING that does not come back tells.
    this.heartbeat = setInterval(() => {
      if (sub.status !== 'ready') return;
      bounded(sub.ping()).then(
        () => {
          if (!this.ready && this.wasDown) this.markUp();
        },
        () => this.markDown('not answering'),
      );
    }, BUS_HEARTBEAT_MS);
    this.heartbeat.unref();
    sub.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      const message = parse(text);
      if (message) this.listener.message(message);
    });
  }

  stop(): void {
    clearInterval(this.heartbeat);
    this.subscriber?.disconnect(false);
    this.subscriber = null;
    this.ready = false;
  }

  /** False when the message could not be sent (Redis away or slow): the caller decides what was missed. */
  async publish(message: BusMessage): Promise<boolean> {
    if (this.redis.status !== 'ready') return false;
    try {
      await bounded(this.redis.publish(this.channel, JSON.stringify(message)));
      return true;
    } catch {
      return false;
    }
  }

  private markUp(): void {
    const afterOutage = this.wasDown;
    this.ready = true;
    this.wasDown = false;
    this.listener.up(afterOutage);
  }

  private markDown(why: string): void {
    const wasUp = this.ready;
    this.ready = false;
    this.wasDown = true;
    this.listener.down(why, wasUp);
  }
}

function parse(text: string): BusMessage | null {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && typeof (value as BusMessage).origin === 'string' ? (value as BusMessage) : null;
  } catch {
    return null;
  }
}
