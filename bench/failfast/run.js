#!/usr/bin/env node
// bench/failfast: wall time from spawn to exit of the built API in strict mode with a missing variable,
// beside bare `node -e 'process.exit(1)'` on the same machine. Targets: median < 300 ms and < 4x bare node.
// Usage: npm run build && node bench/failfast/run.js [runs]   (writes bench/failfast/results.md)
const { spawnSync } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const os = require('node:os');

const ROOT = resolve(__dirname, '../..');
const RUNS = Number(process.argv[2] || 40);
const API = join(ROOT, 'dist/apps/api/main.js');
const env = { PATH: process.env.PATH, CI_STRICT: '1', DATABASE_URL: 'postgresql://u:pw@127.0.0.1:5432/db', SECRET_KEY: 'x'.repeat(32) };

function spawnMs(args, expectCode) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== expectCode) throw new Error(`unexpected exit ${r.status}: ${r.stderr}`);
  return ms;
}

function stats(samples) {
  samples.sort((a, b) => a - b);
  const q = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return { median: q(0.5), p90: q(0.9), min: samples[0], max: samples[samples.length - 1] };
}

/** Bare node and the API alternate run by run, so drift in machine load weighs on both alike. */
function timeInterleaved() {
  const bareSamples = [];
  const apiSamples = [];
  for (let i = 0; i < RUNS; i += 1) {
    bareSamples.push(spawnMs(['-e', 'process.exit(1)'], 1));
    apiSamples.push(spawnMs([API], 2));
  }
  return { bare: stats(bareSamples), api: stats(apiSamples) };
}

spawnMs(['-e', '0'], 0); // warm the page cache
spawnMs([API], 2);
const { bare, api } = timeInterleaved();
const ratio = api.median / bare.median;
const pass = api.median < 300 && ratio < 4;
const fmt = (s) => `${s.median.toFixed(1)} | ${s.p90.toFixed(1)} | ${s.min.toFixed(1)} | ${s.max.toFixed(1)}`;
const report = `# bench/failfast

Spawn-to-exit wall time, ${RUNS} runs each (bare and API alternating), ${new Date().toISOString()}, node ${process.version},
${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}. The API runs in strict mode (CI_STRICT=1) without REDIS_URL and
must exit non-zero before loading NestJS, TypeORM or ioredis.

| command | median ms | p90 ms | min ms | max ms |
| --- | --- | --- | --- | --- |
| \`node -e 'process.exit(1)'\` | ${fmt(bare)} |
| \`node dist/apps/api/main.js\` (missing REDIS_URL) | ${fmt(api)} |

Ratio of medians: **${ratio.toFixed(2)}×** bare node. Targets: median < 300 ms and < 4× bare node → **${pass ? 'PASS' : 'FAIL'}**.

For scale (from the issue): a stock NestJS app validating the same rule through
\`ConfigModule.forRoot({ validationSchema })\` took 0.37 s on this machine, beside 0.02 s for bare node.
`;
writeFileSync(join(__dirname, 'results.md'), report);
process.stdout.write(report);
process.exit(pass ? 0 : 1);
