import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { getRedisConnectionToken } from '@nestjs-modules/ioredis';
import type Redis from 'ioredis';
import { maskText } from '@app/config';

/** The Redis pub/sub channel every replica (API or `cli worker`) publishes dashboard events on. */
export const LIVE_EVENTS_CHANNEL = 'signalgate:live:v1';
/** Events larger than this are not published (ours are small; a bound on what a subscriber parses). */
export const LIVE_EVENT_MAX_BYTES = 256 * 1024;
/** At most this many events wait for the next flush; more flush at once (an intake burst is not held in memory). */
export const LIVE_OUTBOX_MAX = 1000;

export interface LiveEvent {
  type: string;
  [key: string]: unknown;
}

/** Sent to local listeners when the Redis subscription comes back after a loss: remote events may have been missed. */
export const LIVE_RESYNC: LiveEvent = { type: 'bus.resync' };

type Listener = (event: LiveEvent) => void;

/**
 * Dashboard events across processes, over Redis pub/sub (docs/LIVE.md says why not LISTEN/NOTIFY).
 * `publish` hands the event to this process's listeners at once, then to Redis tagged with this process's origin id;
 * the subscriber skips its own origin, so local listeners see each event once. Redis down or disabled: local events
 * still flow, publishing is skipped (no offline queue), and the subscription is restored by ioredis on return,
 * followed by a `bus.resync` so listeners can re-read what they may have missed. Callers publish after commit.
 */
@Injectable()
export class LiveEventBus implements OnApplicationShutdown {
  private readonly logger = new Logger('LiveEvents');
  readonly origin = randomUUID();
  private readonly listeners = new Set<Listener>();
  /** Serialised events of this turn, published together by `flush`. */
  private outbox: string[] = [];
  private subscriber?: Redis;
  private lostSubscription = false;

  constructor(@Inject(getRedisConnectionToken()) private readonly redis: Redis | null) {}

  /** Subscribes this process to remote events (lazily: publish-only processes such as `cli worker` never do). */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    this.ensureSubscribed();
    return () => this.listeners.delete(listener);
  }

  /**
   * Local listeners get the event at once; Redis gets the events of one event-loop turn together, as one message
   * (`{o, e}` for one event, `{o, es: [...]}` for several, each message under LIVE_EVENT_MAX_BYTES): a group commit of
   * a hundred alerts is one PUBLISH, and one message for each subscriber to parse, not a hundred.
   */
  publish(event: LiveEvent): void {
    this.deliver(event);
    const redis = this.redis;
    if (!redis || redis.status !== 'ready') return;
    const text = JSON.stringify(event);
    if (text.length > LIVE_EVENT_MAX_BYTES) return;
    this.outbox.push(text);
    if (this.outbox.length >= LIVE_OUTBOX_MAX) this.flush();
    else if (this.outbox.length === 1) setImmediate(() => this.flush());
  }

  onApplicationShutdown(): void {
    this.flush();
    this.listeners.clear();
    this.subscriber?.disconnect(false);
  }

  private flush(): void {
    const texts = this.outbox;
    if (texts.length === 0) return;
    this.outbox = [];
    const redis = this.redis;
    if (!redis || redis.status !== 'ready') return;
    const send = (part: string[]) => {
      const text = part.length === 1 ? `{"o":${JSON.stringify(this.origin)},"e":${part[0]}}` : `{"o":${JSON.stringify(this.origin)},"es":[${part.join(',')}]}`;
      redis.publish(LIVE_EVENTS_CHANNEL, text).catch(() => undefined);
    };
    // Messages stay under the bound a subscriber accepts: the envelope is < 100 bytes.
    let part: string[] = [];
    let size = 0;
    for (const text of texts) {
      if (part.length > 0 && size + text.length + 1 > LIVE_EVENT_MAX_BYTES - 100) {
        send(part);
        part = [];
        size = 0;
      }
      part.push(text);
      size += text.length + 1;
    }
    send(part);
  }

  private deliver(event: LiveEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (e) {
        this.logger.warn(`live event listener failed: ${maskText(String(e))}`);
      }
    }
  }

  private ensureSubscribed(): void {
    if (this.subscriber || !this.redis) return;
    // A subscriber connection of its own (a subscribed connection can run no other command), same bounded options.
    const sub = this.redis.duplicate({ connectionName: `${this.redis.options.connectionName ?? 'signalgate'}-live` });
    this.subscriber = sub;
    sub.on('error', () => undefined); // the main client already logs Redis errors once per state change
    sub.on('close', () => (this.lostSubscription = true));
    sub.on('ready', () => {
      sub
        .subscribe(LIVE_EVENTS_CHANNEL)
        .then(() => {
          if (this.lostSubscription) this.deliver(LIVE_RESYNC);
          this.lostSubscription = false;
        })
        .catch(() => undefined);
    });
    sub.on('message', (_channel: string, text: string) => {
      if (text.length > LIVE_EVENT_MAX_BYTES) return;
      let message: { o?: unknown; e?: LiveEvent; es?: unknown };
      try {
        message = JSON.parse(text) as { o?: unknown; e?: LiveEvent; es?: unknown };
      } catch {
        return;
      }
      if (message.o === this.origin) return;
      const events = Array.isArray(message.es) ? (message.es as unknown[]) : [message.e];
      for (const event of events) if (isLiveEvent(event)) this.deliver(event);
    });
  }
}

function isLiveEvent(value: unknown): value is LiveEvent {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
