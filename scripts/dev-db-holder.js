#!/usr/bin/env node
// Runs scripts/dev-database.ts (TypeScript through ts-node) as a child of scripts/dev.js, and tells it over IPC
// when the embedded PostgreSQL is ready ({ ready: true, port }), not needed ({ ready: false }) or failed ({ error }).
const { join } = require('node:path');

const root = join(__dirname, '..');
require('ts-node').register({ transpileOnly: true, project: join(root, 'tsconfig.json'), compilerOptions: { module: 'commonjs' } });
require('tsconfig-paths').register({ baseUrl: root, paths: require('../tsconfig.json').compilerOptions.paths });
const { startDevDatabase } = require('./dev-database.ts');

const log = (msg) => process.stderr.write(`signalgate dev: ${msg}\n`);
startDevDatabase(process.env, process.cwd(), log).then(
  (handle) => {
    process.send?.(handle ? { ready: true, port: handle.port } : { ready: false });
    if (!handle) process.exit(0);
    // Held until SIGINT/SIGTERM (the package's exit hook stops the server) or until the watcher goes away.
    process.on('disconnect', () => handle.stop().finally(() => process.exit(0)));
  },
  (e) => {
    process.send?.({ error: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  },
);
