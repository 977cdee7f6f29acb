/**
 * The parts of ws 8 (under @nestjs/platform-ws) the gateway uses: the package ships no types and @types/ws is not
 * a dependency, so they are declared here, narrowly.
 */
export interface WsClient {
  readonly OPEN: number;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string | Buffer, options?: { binary?: boolean }): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'pong' | 'error' | 'close', listener: (...args: unknown[]) => void): this;
}

export interface WsServer {
  options: Record<string, unknown>;
}
