// The bare reference: a minimal SKIP LOCKED outbox loop (its own process). N loops, each claims one row in a
// transaction with FOR UPDATE SKIP LOCKED, POSTs it, marks it done, commits. No leases, no attempts log, no signing.
'use strict';
const http = require('node:http');
const { Pool } = require('pg');

async function main() {
  const [databaseUrl, targetUrl, countText, concurrencyText] = process.argv.slice(2);
  const count = Number(countText);
  const concurrency = Number(concurrencyText);
  const pool = new Pool({ connectionString: databaseUrl, max: concurrency + 2 });
  await pool.query(`DROP TABLE IF EXISTS bench_outbox`);
  await pool.query(`CREATE TABLE bench_outbox (id bigserial PRIMARY KEY, payload text NOT NULL, done boolean NOT NULL DEFAULT false)`);
  await pool.query(`CREATE INDEX ON bench_outbox (id) WHERE NOT done`);
  const body = (i) => JSON.stringify({ type: 'alert.created', timestamp: new Date().toISOString(), data: { id: `bare-${i}`, fingerprint: `bare-${i}`, title: `bench alert ${i}`, severity: 'info', labels: {}, annotations: {} } });
  for (let i = 0; i < count; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - i) }, (_, j) => body(i + j));
    await pool.query(`INSERT INTO bench_outbox (payload) SELECT unnest($1::text[])`, [rows]);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(targetUrl);
  const post = (payload) =>
    new Promise((ok, fail) => {
      const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode));
      });
      req.on('error', fail);
      req.end(payload);
    });
  const started = performance.now();
  let sent = 0;
  const loop = async () => {
    const client = await pool.connect();
    try {
      for (;;) {
        await client.query('BEGIN');
        const { rows } = await client.query(`SELECT id, payload FROM bench_outbox WHERE NOT done ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`);
        if (rows.length === 0) {
          await client.query('COMMIT');
          return;
        }
        await post(rows[0].payload);
        await client.query(`UPDATE bench_outbox SET done = true WHERE id = $1`, [rows[0].id]);
        await client.query('COMMIT');
        sent += 1;
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const seconds = (performance.now() - started) / 1000;
  await pool.query(`DROP TABLE bench_outbox`);
  await pool.end();
  agent.destroy();
  process.send({ sent, seconds, perSecond: sent / seconds });
}
main().catch((e) => {
  process.send({ error: String(e) });
  process.exit(1);
});
