import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DrainState } from '@app/health';

export interface ShutdownOptions {
  /** SHUTDOWN_DELAY_MS: readiness answers 503 this long before the listener closes. */
  delayMs: number;
  /** SHUTDOWN_TIMEOUT_MS: hard cap on the whole sequence; past it the process exits 1. */
  timeoutMs: number;
  note: (msg: string) => void;
  /** Runs after the app closed (the embedded development PostgreSQL is stopped here). */
  afterClose?: () => Promise<void>;
  exit?: (code: number) => void;
}

/**
 * The drain sequence of CONTRACT §3, in this order (Terminus's `gracefulShutdownTimeoutMs` does not order it so:
 * nestjs/terminus #2569, #2298):
 * 1. readiness turns 503 `shutting_down` at once; liveness stays 200;
 * 2. after SHUTDOWN_DELAY_MS (load balancers stop routing here) the listener stops accepting;
 * 3. in-flight requests finish; idle keep-alive connections are closed as they become idle;
 * 4. Nest's shutdown hooks close the database pool and Redis; then the embedded PostgreSQL stops; exit 0.
 * A hard cap (SHUTDOWN_TIMEOUT_MS) exits 1 if any of it hangs. A second signal exits 1 at once.
 */
export function installShutdownSequence(app: NestFastifyApplication, opts: ShutdownOptions): void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let started = false;

  const run = async (signal: string): Promise<void> => {
    const cap = setTimeout(() => {
      opts.note(`draining did not finish within SHUTDOWN_TIMEOUT_MS=${opts.timeoutMs} ms: exiting 1`);
      exit(1);
    }, opts.timeoutMs);
    app.get(DrainState).begin(signal);
    opts.note(`${signal} received: readiness 503; closing the listener in ${opts.delayMs} ms`);
    await new Promise((r) => setTimeout(r, opts.delayMs));

    opts.note('closing the listener; waiting for in-flight requests');
    const server = app.getHttpServer() as Server;
    // A request in flight when the listener closed leaves a keep-alive connection behind once answered;
    // close such connections as soon as they are idle instead of waiting for keepAliveTimeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    let closeError: unknown;
    try {
      await app.close();
    } catch (e) {
      closeError = e;
    } finally {
      clearInterval(sweep);
    }
    // The embedded PostgreSQL is stopped even when closing the app failed.
    if (opts.afterClose) await opts.afterClose();
    if (closeError) throw closeError;
    clearTimeout(cap);
    opts.note('shutdown complete');
    exit(0);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      opts.note(`${signal} received again while draining: exiting 1`);
      exit(1);
      return;
    }
    started = true;
    run(signal).catch((e: unknown) => {
      opts.note(`shutdown failed: ${e instanceof Error ? e.message : String(e)}`);
      exit(1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
