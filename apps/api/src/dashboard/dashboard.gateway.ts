import type { IncomingMessage } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { Logger, type OnApplicationShutdown, type BeforeApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { Counter, Gauge } from 'prom-client';
import { hmacKey, type Principal } from '@app/auth';
import type { Env } from '@app/config';
import { MetricsService } from '@app/observability';
import { type LiveEvent, LiveEventBus } from '@app/redis';
import { DASHBOARD_PROTOCOL, verifyHandshake } from './dashboard-auth';
import { type DashboardReadiness, DashboardSnapshotService, type WebhookHealthView } from './dashboard-snapshot.service';
import type { WsClient as WebSocket, WsServer as WebSocketServer } from './ws-types';

export const DASHBOARD_WS_PATH = '/api/v1/ws/dashboard';
/** Events held for a client while its snapshot is read; more closes it like any slow consumer. */
export const MAX_PENDING_EVENTS = 1000;
/** Events forwarded from the bus as they are; the rest trigger re-reads. */
const FORWARDED = new Set(['alert.created', 'alert.deduplicated', 'alert.acknowledged', 'alert.resolved', 'delivery.succeeded', 'delivery.failed']);

type DisconnectReason = 'client' | 'heartbeat' | 'slow_consumer' | 'token_expired' | 'shutdown' | 'error';

interface ClientState {
  principal: Principal;
  alive: boolean;
  /** Serialised events waiting for the snapshot; undefined once the snapshot went out. */
  pending?: Array<string | Buffer>;
  closing?: DisconnectReason;
}

/** The bits of ws's server options we set once the configuration is known (the decorator's are static). */
interface MutableWsOptions {
  verifyClient?: (info: { req: IncomingMessage }, cb: (ok: boolean, code?: number, message?: string, headers?: Record<string, string>) => void) => void;
  handleProtocols?: (protocols: Set<string>, req: IncomingMessage) => string | false;
}

/**
 * The live dashboard feed (CONTRACT §5 "Live", docs/LIVE.md): a plain WebSocket at /api/v1/ws/dashboard.
 * Handshake: a JWT with `alerts:read` in `?token=` or as a `bearer.<JWT>` sub-protocol, else 401/403; beyond
 * WS_MAX_CONNECTIONS, 503. Then a snapshot, then events committed anywhere (LiveEventBus), plus queue, webhook health
 * and readiness changes found by a periodic re-read. Heartbeat pings drop dead peers; a client whose unsent bytes pass
 * WS_MAX_BUFFERED_BYTES is closed with 1013. Every message is serialised once for all clients.
 */
@WebSocketGateway({ path: DASHBOARD_WS_PATH, maxPayload: 4096, perMessageDeflate: false, clientTracking: true })
export class DashboardGateway implements OnGatewayInit<WebSocketServer>, OnGatewayConnection<WebSocket>, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('DashboardFeed');
  private readonly key: KeyObject;
  private readonly maxConnections: number;
  private readonly heartbeatMs: number;
  private readonly maxBuffered: number;
  private readonly statsMs: number;
  private readonly clients = new Map<WebSocket, ClientState>();
  private readonly principals = new WeakMap<IncomingMessage, { principal: Principal; expiresAt: number }>();
  private readonly gauge: Gauge;
  private readonly disconnects: Counter<'reason'>;
  private timers: NodeJS.Timeout[] = [];
  private unlisten?: () => void;
  /** Clients waiting for the next snapshot read (one read serves all who joined before it started). */
  private snapshotWaiters: WebSocket[] = [];
  private snapshotRunning = false;
  private refreshTimer?: NodeJS.Timeout;
  private statsRunning = false;
  private statsSoon?: NodeJS.Timeout;
  private last: { queue?: string; readiness?: string; webhooks: Map<string, string> } = { webhooks: new Map() };

  constructor(
    config: ConfigService<Env, true>,
    private readonly snapshots: DashboardSnapshotService,
    private readonly bus: LiveEventBus,
    metrics: MetricsService,
  ) {
    this.key = hmacKey(config.get('SECRET_KEY', { infer: true }));
    this.maxConnections = config.get('WS_MAX_CONNECTIONS', { infer: true });
    this.heartbeatMs = config.get('WS_HEARTBEAT_MS', { infer: true });
    this.maxBuffered = config.get('WS_MAX_BUFFERED_BYTES', { infer: true });
    this.statsMs = config.get('WS_STATS_INTERVAL_MS', { infer: true });
    this.gauge = new Gauge({ name: 'signalgate_ws_clients', help: 'Dashboard WebSocket clients connected to this process.', registers: [metrics.registry] });
    this.disconnects = new Counter({
      name: 'signalgate_ws_disconnects_total',
      help: 'Dashboard WebSocket clients gone, by reason (client, heartbeat, slow_consumer, token_expired, shutdown, error).',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
  }

  get clientCount(): number {
    return this.clients.size;
  }

  afterInit(server: WebSocketServer): void {
    // ws reads these per upgrade; they need the configuration, which the decorator cannot see.
    const options = server.options as MutableWsOptions & Record<string, unknown>;
    options.verifyClient = ({ req }, cb) => {
      if (this.clients.size >= this.maxConnections) {
        this.logger.warn(`dashboard connection refused: ${this.clients.size} clients, the limit (WS_MAX_CONNECTIONS)`);
        return cb(false, 503, 'too many dashboard connections', { 'Retry-After': '5' });
      }
      const verdict = verifyHandshake(req, this.key);
      if (!verdict.ok) {
        // The reason names the problem, never the token; the URL is not logged (it may carry ?token=).
        this.logger.log(`dashboard connection refused (${verdict.status}): ${verdict.reason}`);
        return cb(false, verdict.status, verdict.reason);
      }
      this.principals.set(req, { principal: verdict.principal, expiresAt: verdict.expiresAt });
      cb(true);
    };
    options.handleProtocols = (protocols) => (protocols.has(DASHBOARD_PROTOCOL) ? DASHBOARD_PROTOCOL : false);
    this.unlisten = this.bus.listen((event) => this.onEvent(event));
    this.timers.push(setInterval(() => this.heartbeat(), this.heartbeatMs));
    this.timers.push(setInterval(() => void this.refreshStats(), this.statsMs));
    for (const t of this.timers) t.unref();
  }

  handleConnection(ws: WebSocket, req: IncomingMessage): void {
    const auth = this.principals.get(req);
    if (!auth) {
      // Not through verifyClient: cannot happen with this server, but never serve an unauthenticated socket.
      ws.close(4401, 'unauthorized');
      return;
    }
    const state: ClientState = { principal: auth.principal, alive: true, pending: [] };
    // The token's expiry ends the session: 4401, which the page takes as "paste a new token".
    const expiry = setTimeout(
      () => {
        this.closing(state, 'token_expired');
        ws.close(4401, 'token expired');
      },
      Math.min(Math.max(0, auth.expiresAt - Date.now()), 2 ** 31 - 1),
    );
    expiry.unref();
    this.clients.set(ws, state);
    this.gauge.set(this.clients.size);
    ws.on('pong', () => (state.alive = true));
    ws.on('error', () => this.closing(state, 'error'));
    ws.on('close', () => {
      clearTimeout(expiry);
      if (!this.clients.delete(ws)) return;
      this.gauge.set(this.clients.size);
      this.closing(state, 'client');
    });
    this.snapshotWaiters.push(ws);
    void this.runSnapshots();
  }

  beforeApplicationShutdown(): void {
    for (const [ws, state] of this.clients) {
      this.closing(state, 'shutdown');
      ws.close(1001, 'server shutting down');
    }
  }

  onApplicationShutdown(): void {
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.refreshTimer);
    clearTimeout(this.statsSoon);
    this.unlisten?.();
    for (const ws of this.clients.keys()) ws.terminate();
  }

  /** One snapshot read for every client that joined before it started; clients joining meanwhile wait for the next. */
  private async runSnapshots(): Promise<void> {
    if (this.snapshotRunning) return;
    this.snapshotRunning = true;
    try {
      while (this.snapshotWaiters.length > 0) {
        const waiters = this.snapshotWaiters;
        this.snapshotWaiters = [];
        const text = Buffer.from(JSON.stringify(await this.snapshots.snapshot()));
        for (const ws of waiters) {
          const state = this.clients.get(ws);
          if (!state) continue;
          const pending = state.pending ?? [];
          state.pending = undefined;
          if (!this.send(ws, state, text)) continue;
          for (const p of pending) if (!this.send(ws, state, p)) break;
        }
      }
    } catch (e) {
      this.logger.warn(`dashboard snapshot failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.snapshotRunning = false;
      if (this.snapshotWaiters.length > 0) void this.runSnapshots();
    }
  }

  private onEvent(event: LiveEvent): void {
    if (FORWARDED.has(event.type)) {
      // No dashboard open here: nothing to serialise (every alert of a storm passes through).
      if (this.clients.size > 0) this.broadcast(JSON.stringify(event));
      // A delivery outcome may change a webhook's health and the queue: re-read soon rather than at the next tick.
      if (event.type.startsWith('delivery.')) this.statsSoon ??= setTimeout(() => ((this.statsSoon = undefined), void this.refreshStats()), 250);
    } else if (event.type === 'alerts.bulk' || event.type === 'bus.resync') {
      // Many alerts changed at once, or remote events may have been missed: everyone gets a fresh snapshot.
      this.refreshTimer ??= setTimeout(() => {
        this.refreshTimer = undefined;
        for (const [ws, state] of this.clients) {
          state.pending ??= [];
          if (!this.snapshotWaiters.includes(ws)) this.snapshotWaiters.push(ws);
        }
        void this.runSnapshots();
      }, 100);
    }
  }

  /** Encoded once for every client (a Buffer sent as a text frame), not once per socket. */
  private broadcast(text: string): void {
    const frame = Buffer.from(text);
    for (const [ws, state] of this.clients) this.send(ws, state, frame);
  }

  /** Sends, or queues until the snapshot; a client over its byte (or pending) bound is closed with 1013. */
  private send(ws: WebSocket, state: ClientState, text: string | Buffer): boolean {
    if (state.closing || ws.readyState !== ws.OPEN) return false;
    if (state.pending) {
      if (state.pending.length >= MAX_PENDING_EVENTS) return this.dropSlow(ws, state);
      state.pending.push(text);
      return true;
    }
    // What is already queued counts (one message may exceed the bound; a snapshot can be large).
    if (ws.bufferedAmount > this.maxBuffered) return this.dropSlow(ws, state);
    ws.send(text, { binary: false });
    return true;
  }

  /** The first reason wins and is counted at once (a closing peer's socket may linger until ws's close timeout). */
  private closing(state: ClientState, reason: DisconnectReason): void {
    if (state.closing) return;
    state.closing = reason;
    this.disconnects.inc({ reason });
  }

  private dropSlow(ws: WebSocket, state: ClientState): false {
    this.closing(state, 'slow_consumer');
    state.pending = undefined;
    this.logger.warn(`dashboard client sub=${state.principal.sub} closed: slow consumer (over WS_MAX_BUFFERED_BYTES)`);
    // Nothing more is queued for it; the close frame waits behind the unsent bytes, and ws destroys the socket if
    // the peer has not completed the close within its 30 s closeTimeout.
    ws.close(1013, 'slow consumer: too many unsent bytes');
    return false;
  }

  private heartbeat(): void {
    for (const [ws, state] of this.clients) {
      // A client already closing keeps its reason; ws's close timeout ends it.
      if (state.closing) continue;
      if (!state.alive) {
        this.closing(state, 'heartbeat');
        ws.terminate();
        continue;
      }
      state.alive = false;
      ws.ping();
    }
  }

  /** Queue depth, webhook health and readiness, re-read while anyone watches; only changes are sent. */
  private async refreshStats(): Promise<void> {
    if (this.statsRunning || this.clients.size === 0) return;
    this.statsRunning = true;
    try {
      const [queue, webhooks, readiness] = await Promise.all([
        this.snapshots.queue().catch(() => undefined),
        this.snapshots.webhooks().catch(() => undefined),
        this.snapshots.readiness().catch(() => undefined),
      ]);
      if (queue) this.changed('queue', JSON.stringify(queue), () => ({ type: 'queue', queue }));
      if (readiness) this.changed('readiness', JSON.stringify(readiness), () => ({ type: 'readiness', readiness }));
      if (webhooks) this.webhookChanges(webhooks);
    } finally {
      this.statsRunning = false;
    }
  }

  private changed(key: 'queue' | 'readiness', fingerprint: string, event: () => { type: string; queue?: unknown; readiness?: DashboardReadiness }): void {
    if (this.last[key] === fingerprint) return;
    this.last[key] = fingerprint;
    this.broadcast(JSON.stringify(event()));
  }

  private webhookChanges(webhooks: WebhookHealthView[]): void {
    const seen = new Map<string, string>();
    const changed: WebhookHealthView[] = [];
    for (const w of webhooks) {
      const fp = JSON.stringify(w);
      seen.set(w.webhook_id, fp);
      if (this.last.webhooks.get(w.webhook_id) !== fp) changed.push(w);
    }
    const removed = [...this.last.webhooks.keys()].filter((id) => !seen.has(id));
    this.last.webhooks = seen;
    if (changed.length || removed.length) this.broadcast(JSON.stringify({ type: 'webhook.health', webhooks: changed, removed }));
  }
}
