#!/usr/bin/env node
// Runs every benchmark whose script exists (each writes its own results file next to it). Build first.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

let failed = 0;
for (const name of ['failfast', 'boot', 'probes', 'delivery', 'intake', 'rate-limit', 'cache', 'dashboard', 'retention']) {
  const script = join(__dirname, name, 'run.js');
  if (!existsSync(script)) continue;
  console.log(`\n== bench/${name}`);
  const r = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (r.status !== 0) failed += 1;
}
process.exit(failed ? 1 : 0);
