import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';

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
