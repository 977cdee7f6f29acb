import { Client, type ClientConfig } from 'pg';

/** pg's message for a query that outlived `query_timeout` (the client gave up; the server may never answer). */
export const QUERY_READ_TIMEOUT_MESSAGE = 'Query read timeout';

type Callback = (err: Error | null, result?: unknown) => void;

/**
 * pg's Client, except that a query that outlives `query_timeout` ends its connection. pg only fails such a query:
 * the connection stays open with the dead statement still active, so the pool would hand it out again and every
 * later query on it would queue behind an answer that never comes (a frozen server, a black-holed network). Ending
 * it here (pg destroys the socket of a client with an active query) makes the pool drop it and open a fresh one.
 * Used as the pg Pool's `Client` (see buildDataSourceOptions), so TypeORM's queries, `preparedRows` and
 * `boundedQuery` are all covered.
 */
export class DeadlineClient extends Client {
  /** The last connection error this client saw while checked out (for the pool's log and tests). */
  lostConnection: Error | undefined;

  constructor(config?: string | ClientConfig) {
    super(config);
    // pg-pool listens for a client's 'error' only while it sits idle. A checked-out client whose connection dies
    // between two queries (a failover, a proxy closing, a frozen server finally timing out) emits 'error' with no
    // listener, and Node ends the process. pg has already marked the client not queryable, so pg-pool discards it
    // on release and the next query gets a fresh connection: nothing to do here but not crash.
    this.on('error', (err: Error) => {
      this.lostConnection = err;
    });
  }

  // pg's overloads (text or config, values, callback; promise or callback) are all forwarded as they came.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const at = args.findIndex((a) => typeof a === 'function');
    if (at > 0) {
      const callback = args[at] as Callback;
      args[at] = (err: Error | null, result?: unknown) => {
        this.dropAfterTimeout(err);
        callback(err, result);
      };
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      return result.catch((err: unknown) => {
        this.dropAfterTimeout(err);
        throw err;
      });
    }
    return result;
  }

  private dropAfterTimeout(err: unknown): void {
    if (err instanceof Error && err.message === QUERY_READ_TIMEOUT_MESSAGE) void this.end().catch(() => undefined);
  }
}
