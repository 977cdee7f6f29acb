import { connect } from 'node:net';
import { token } from './support/domain';
import { strictRawEnv } from './support/e2e-env';
import { type ApiProcess, Fleet, runCli } from './support/processes';
import { freePort } from './support/services';
import { waitFor } from './support/wait-for';

/**
 * Issue 22, part 6: a client that closes its connection mid-body (an aborted upload, a slowloris run) is a client
 * abort, logged at debug, never "database unavailable" at WARN.
 */
describe('a client that aborts its upload (built API)', () => {
  const fleet = new Fleet();
  let api: ApiProcess;

  beforeAll(async () => {
    const raw = strictRawEnv({ LOG_LEVEL: 'debug' });
    expect((await runCli(['migrate', 'up'], raw)).code).toBe(0);
    api = await fleet.api(raw, await freePort());
  });
  afterAll(() => fleet.stopAll());

  it('sends headers and part of the body, then closes: logged as a client abort, not as a database outage', async () => {
    const requestId = `abort-${Date.now()}`;
    const partial = '{"title":"never finished","severity":"info","description":"';
    const socket = connect(api.port, '127.0.0.1');
    await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
    socket.write(
      [
        'POST /api/v1/alerts HTTP/1.1',
        `Host: 127.0.0.1:${api.port}`,
        `Authorization: Bearer ${token()}`,
        'Content-Type: application/json',
        `Content-Length: ${partial.length + 10_000}`,
        `X-Request-Id: ${requestId}`,
        '',
        partial,
      ].join('\r\n'),
    );
    // The server has the partial body once it says nothing: wait until the bytes are flushed, then drop the socket.
    await new Promise<void>((ok) => (socket.writableLength === 0 ? ok() : socket.once('drain', ok)));
    socket.destroy();

    const ours = () => api.stdout.split('\n').filter((l) => l.includes(requestId));
    await waitFor(() => ours().some((l) => l.includes('client aborted request')), {
      timeoutMs: 10_000,
      what: () => `the abort logged:\n${api.stdout.slice(-4000)}`,
    });
    const lines = ours().map((l) => JSON.parse(l) as { level: number; msg: string });
    const abort = lines.find((l) => l.msg.includes('client aborted request'));
    // pino levels: debug 20, info 30, warn 40.
    expect(abort?.level).toBeLessThanOrEqual(30);
    expect(api.stdout).not.toMatch(/database unavailable/);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    // The API serves on.
    expect((await fetch(`${api.baseUrl}/api/health/live`)).status).toBe(200);
  });
});
