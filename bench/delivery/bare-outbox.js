// The bare reference: the strongest hand-written SKIP LOCKED outbox loop we could write (its own process), so the
// ratio is against a fair opponent, not a strawman. CLAIM_LOOPS loops, each: BEGIN; claim up to 64 rows with
// FOR UPDATE SKIP LOCKED; POST them through one keep-alive agent under a shared in-flight bound; one UPDATE for the
// batch; COMMIT (4 round trips per 64 deliveries). An empty queue waits on LISTEN/NOTIFY (1 s fallback poll), not a
// sleep loop. No leases, no attempts log, no signing, no per-webhook caps, no retries.
'use strict';
const http = require('node:http');
const { Client, Pool } = require('pg');

const BATCH = 64;
const CHANNEL = 'bench_outbox';

async function main() {
  const [databaseUrl, targetUrl, countText, concurrencyText] = process.argv.slice(2);
  const count = Number(countText);
  const inFlightBound = Number(concurrencyText);
  // Enough loops that one batch's commit and the next claim overlap the posts of the others.
  const claimLoops = Math.max(2, Math.ceil((2 * inFlightBound) / BATCH) + 1);
  const pool = new Pool({ connectionString: databaseUrl, max: claimLoops + 2 });
  await pool.query(`DROP TABLE IF EXISTS bench_outbox`);
  await pool.query(`CREATE TABLE bench_outbox (id bigserial PRIMARY KEY, payload text NOT NULL, done boolean NOT NULL DEFAULT false)`);
  await pool.query(`CREATE INDEX ON bench_outbox (id) WHERE NOT done`);

  let wake = () => undefined;
  const listener = new Client({ connectionString: databaseUrl });
  await listener.connect();
  listener.on('notification', () => wake());
  await listener.query(`LISTEN ${CHANNEL}`);
  const waitForWork = () =>
    new Promise((ok) => {
      const t = setTimeout(ok, 1000);
      const prev = wake;
      wake = () => {
        clearTimeout(t);
        wake = () => undefined;
        prev();
        ok();
      };
    });

  const body = (i) =>
    JSON.stringify({
      type: 'alert.created',
      timestamp: new Date().toISOString(),
      data: { id: `bare-${i}`, fingerprint: `bare-${i}`, title: `bench alert ${i}`, severity: 'info', labels: {}, annotations: {} },
    });
  for (let i = 0; i < count; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - i) }, (_, j) => body(i + j));
    await pool.query(`WITH ins AS (INSERT INTO bench_outbox (payload) SELECT unnest($1::text[]) RETURNING 1) SELECT pg_notify('${CHANNEL}', '')`, [rows]);
  }

  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlightBound });
  const target = new URL(targetUrl);
  let inFlight = 0;
  const waiting = [];
  const acquire = () => (inFlight < inFlightBound ? ((inFlight += 1), Promise.resolve()) : new Promise((ok) => waiting.push(ok)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight -= 1;
  };
  const post = async (payload) => {
    await acquire();
    try {
      return await new Promise((ok, fail) => {
        const req = http.request(
          target,
          { method: 'POST', agent, timeout: 10_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
          (res) => {
            res.resume();
            res.on('end', () => ok(res.statusCode));
          },
        );
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', fail);
        req.end(payload);
      });
    } finally {
      release();
    }
  };

  const started = performance.now();
  let sent = 0;
  const loop = async () => {
    const client = await pool.connect();
    try {
      while (sent < count) {
        await client.query('BEGIN');
        const { rows } = await client.query(`SELECT id, payload FROM bench_outbox WHERE NOT done ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`);
        if (rows.length === 0) {
          await client.query('COMMIT');
          await waitForWork();
          continue;
        }
        const delivered = [];
        await Promise.all(
          rows.map((r) =>
            post(r.payload).then(
              (status) => status < 300 && delivered.push(r.id),
              () => undefined,
            ),
          ),
        );
        if (delivered.length) await client.query(`UPDATE bench_outbox SET done = true WHERE id = ANY($1::bigint[])`, [delivered]);
        await client.query('COMMIT');
        sent += delivered.length;
        if (sent >= count) wake();
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: claimLoops }, loop));
  const seconds = (performance.now() - started) / 1000;
  await listener.end();
  await pool.query(`DROP TABLE bench_outbox`);
  await pool.end();
  agent.destroy();
  process.send({ sent, seconds, perSecond: sent / seconds, claimLoops });
}
main().catch((e) => {
  process.send({ error: String(e) });
  process.exit(1);
});
