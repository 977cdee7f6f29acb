import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import { waitFor } from './wait-for';

/**
 * The `ws` client (the package under @nestjs/platform-ws), typed narrowly: it ships no types and @types/ws is not a
 * dependency. Covers what the dashboard suites and bench use.
 */
export interface WsClient {
  readonly readyState: number;
  readonly protocol: string;
  on(event: 'message', listener: (data: Buffer) => void): this;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
  on(event: 'error', listener: (e: Error) => void): this;
  once(event: 'open', listener: () => void): this;
  once(event: 'error', listener: (e: Error) => void): this;
  once(event: 'unexpected-response', listener: (req: unknown, res: IncomingMessage) => void): this;
  pause(): void;
  resume(): void;
  close(code?: number): void;
  terminate(): void;
}

export const WS_OPEN = 1;

type WsConstructor = new (url: string, protocols?: string[]) => WsClient;

export const WebSocket = createRequire(__filename)('ws') as WsConstructor;

/**
 * A dashboard feed client on the API at `port` (`?token=`), open and past its snapshot; every message kept. A refused
 * upgrade fails with its status (a replica without the capability fails loudly).
 */
export async function openDashboardFeed(port: number, bearer: string): Promise<{ ws: WsClient; messages: Array<Record<string, unknown> & { type: string }> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws/dashboard?token=${bearer}`);
  const messages: Array<Record<string, unknown> & { type: string }> = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d)) as (typeof messages)[number]));
  try {
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
      ws.once('unexpected-response', (_req, res) => fail(new Error(`WebSocket capability missing on port ${port}: upgrade refused with ${res.statusCode}`)));
    });
    await waitFor(() => messages.some((m) => m.type === 'snapshot'), { timeoutMs: 10_000, what: `the snapshot from port ${port}` });
  } catch (e) {
    ws.terminate();
    throw e;
  }
  return { ws, messages };
}
