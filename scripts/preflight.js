#!/usr/bin/env node
// `npm start`'s first step: scripts/preflight-check.ts (the embedded PostgreSQL's reachability check, before the build).
// Only root can fail it (PostgreSQL then runs as the postgres account), so anyone else skips loading TypeScript.
const { join } = require('node:path');

if (typeof process.getuid === 'function' && process.getuid() === 0) {
  const root = join(__dirname, '..');
  require('ts-node').register({ transpileOnly: true, project: join(root, 'tsconfig.json'), compilerOptions: { module: 'commonjs' } });
  require('tsconfig-paths').register({ baseUrl: root, paths: require('../tsconfig.json').compilerOptions.paths });
  const { preflightProblem } = require('./preflight-check.ts');
  const problem = preflightProblem(process.env, process.cwd());
  if (problem) {
    process.stderr.write(`signalgate api: ${problem}\n`);
    process.exit(1);
  }
}
