// Bare intake reference (issue 15): Fastify + pg, no Nest. HS256 JWT check, JSON-schema validation (Fastify's route
// schema), and per request the one statement Signalgate's upsertFiringMany runs for one row (dedup, insert, fan-out to
// subscribed webhooks, notify) in its own commit. The Alertmanager route does the same once per alert: one commit each.
//
//   node bench/intake/bare-server.js <database-url> <secret-key> <pool-size>   → sends { port } to its parent (fork)
'use strict';
const { createHash, randomUUID } = require('node:crypto');
const fastify = require('fastify');
const jwt = require('jsonwebtoken');
const { Pool } = require('pg');

const [databaseUrl, secretKey, poolSize] = process.argv.slice(2);
const pool = new Pool({ connectionString: databaseUrl, max: Number(poolSize) });

const rank = (e) => `(CASE ${e} WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'warning' THEN 2 WHEN 'info' THEN 1 ELSE 0 END)`;
// The shape of AlertsRepository.upsertFiringMany for one row.
const UPSERT = `WITH a AS (
    INSERT INTO alerts (id, fingerprint, title, severity, source, description, labels, annotations, occurrences, starts_at, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, 1, $9, $10, $10)
    ON CONFLICT (fingerprint) WHERE status = 'firing'
    DO UPDATE SET occurrences = alerts.occurrences + 1, updated_at = now()
    RETURNING *, (xmax = 0) AS inserted
  ), d AS (
    INSERT INTO deliveries (webhook_id, alert_id, event_type, payload)
    SELECT s.id, a.id, 'alert.created', $11 FROM a CROSS JOIN LATERAL (
      SELECT w.id FROM webhooks w WHERE w.is_active
        AND (cardinality(w.event_types) = 0 OR 'alert.created' = ANY (w.event_types))
        AND (w.min_severity IS NULL OR ${rank('a.severity')} >= ${rank('w.min_severity')})) s
    WHERE a.inserted
    RETURNING 1
  ), n AS (SELECT pg_notify('signalgate_deliveries', '') WHERE EXISTS (SELECT 1 FROM d))
  SELECT a.*, (SELECT count(*) FROM n) AS notified FROM a`;

function fingerprintOf(labels, title, source) {
  const entries = Object.entries(labels);
  const basis = entries.length
    ? entries
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')
    : `title=${title}\nsource=${source ?? ''}`;
  return createHash('sha256').update(basis).digest('hex');
}

async function upsert(alert) {
  const now = new Date().toISOString();
  const id = randomUUID();
  const labels = alert.labels ?? {};
  const annotations = alert.annotations ?? {};
  const fingerprint = alert.fingerprint ?? fingerprintOf(labels, alert.title, alert.source);
  const startsAt = alert.starts_at ?? now;
  const row = {
    id,
    fingerprint,
    title: alert.title,
    severity: alert.severity,
    status: 'firing',
    source: alert.source ?? null,
    description: alert.description ?? null,
    labels,
    annotations,
    occurrences: 1,
    starts_at: startsAt,
    resolved_at: null,
    acknowledged_at: null,
    acknowledged_by: null,
    acknowledgement_note: null,
    created_at: now,
    updated_at: now,
    acknowledged: false,
  };
  const payload = JSON.stringify({ type: 'alert.created', timestamp: now, data: row });
  const { rows } = await pool.query(UPSERT, [
    id,
    fingerprint,
    row.title,
    row.severity,
    row.source,
    row.description,
    JSON.stringify(labels),
    JSON.stringify(annotations),
    startsAt,
    now,
    payload,
  ]);
  return rows[0];
}

const stringMap = { type: 'object', additionalProperties: { type: 'string', maxLength: 8192 }, maxProperties: 64 };
const severity = { type: 'string', enum: ['critical', 'high', 'warning', 'info'] };
const alertSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'severity'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 500 },
    severity,
    source: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 10000 },
    labels: stringMap,
    annotations: stringMap,
    fingerprint: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
    starts_at: { type: 'string', format: 'date-time' },
  },
};
const alertmanagerSchema = {
  type: 'object',
  required: ['alerts'],
  properties: {
    alerts: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'object', required: ['status'], properties: { status: { enum: ['firing', 'resolved'] }, labels: stringMap, annotations: stringMap } },
    },
  },
};

const app = fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.addHook('onRequest', async (request, reply) => {
  const header = request.headers.authorization ?? '';
  try {
    const claims = jwt.verify(header.replace(/^Bearer /, ''), secretKey, { algorithms: ['HS256'] });
    const scopes = String(claims.scope ?? '').split(' ');
    if (!scopes.includes('admin') && !scopes.includes('alerts:write')) return reply.code(403).send({ statusCode: 403, message: 'missing scope alerts:write' });
  } catch {
    return reply.code(401).send({ statusCode: 401, message: 'invalid token' });
  }
});
app.post('/api/v1/alerts', { schema: { body: alertSchema } }, async (request, reply) => {
  const row = await upsert(request.body);
  reply.code(row.inserted ? 201 : 200);
  return { ...row, deduplicated: !row.inserted };
});
app.post('/api/v1/alerts/alertmanager', { schema: { body: alertmanagerSchema } }, async (request) => {
  const counts = { received: request.body.alerts.length, created: 0, updated: 0 };
  for (const a of request.body.alerts) {
    const labels = a.labels ?? {};
    const annotations = a.annotations ?? {};
    const row = await upsert({
      title: annotations.summary ?? labels.alertname ?? 'Alertmanager alert',
      severity: 'warning',
      source: 'alertmanager',
      labels,
      annotations,
    });
    if (row.inserted) counts.created += 1;
    else counts.updated += 1;
  }
  return counts;
});

app.listen({ port: 0, host: '127.0.0.1' }).then(() => process.send?.({ port: app.server.address().port }));
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
