// Webhook receiver for the delivery bench (its own process). `/slow*` answers after 200 ms, anything else at once.
// Records the receipt time of every request (by alert fingerprint) and reports them over IPC on demand.
'use strict';
const http = require('node:http');

const now = () => performance.timeOrigin + performance.now();
let receipts = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = now();
    let fingerprint = '';
    try {
      fingerprint = JSON.parse(Buffer.concat(chunks).toString()).data.fingerprint;
    } catch {
      /* ping bodies */
    }
    receipts.push([req.url, fingerprint, at, String(req.headers['webhook-id'] || '')]);
    const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    if (req.url.startsWith('/slow')) setTimeout(answer, 200);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'take') {
    process.send({ receipts });
    receipts = [];
  }
});
