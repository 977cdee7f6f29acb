import { createServer, type Server, type Socket } from 'node:net';
import { Pool } from 'pg';
import { DeadlineClient } from './deadline-client';

describe('DeadlineClient', () => {
  it("an 'error' on a checked-out client is heard (EventEmitter throws an unheard one, which ends the process)", () => {
    const client = new DeadlineClient({ connectionString: 'postgresql://nobody@127.0.0.1:1/none' });
    const lost = new Error('Connection terminated unexpectedly');
    expect(() => client.emit('error', lost)).not.toThrow();
    expect(client.lostConnection).toBe(lost);
  });

  it('a pool of DeadlineClients survives its server closing a checked-out connection', async () => {
    // A minimal server that speaks just enough of the protocol to finish the start-up, then closes the socket.
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => {
      sockets.push(socket);
      socket.once('data', () => {
        // AuthenticationOk, ReadyForQuery(idle)
        socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0]));
        socket.write(Buffer.from([0x5a, 0, 0, 0, 5, 0x49]));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const pool = new Pool({ host: '127.0.0.1', port, user: 'x', database: 'x', Client: DeadlineClient, max: 1 });
    try {
      const client = (await pool.connect()) as unknown as DeadlineClient & { release(err?: Error): void };
      const ended = new Promise((r) => client.once('end', r));
      for (const s of sockets) s.destroy();
      await ended;
      expect(client.lostConnection?.message).toBe('Connection terminated unexpectedly');
      client.release();
      expect(pool.totalCount).toBe(0);
    } finally {
      await pool.end().catch(() => undefined);
      await new Promise((r) => server.close(r));
    }
  });
});
