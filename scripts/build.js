#!/usr/bin/env node
// `npm run build`: the API, the CLI and the dashboard page with Rspack (rspack.config.js) into dist/apps/{api,cli}, then dist/build-info.json,
// then the stamp scripts/build-if-stale.js compares (scripts/build-stamp.js). Type checking is `npm run typecheck`.
const { rmSync } = require('node:fs');
const { join } = require('node:path');
const { inputsHash, writeStamp } = require('./build-stamp');

const ROOT = join(__dirname, '..');

/** Builds both targets; resolves when done, rejects (after printing the errors) when the build fails. */
function build({ quiet = false } = {}) {
  const started = Date.now();
  const hash = inputsHash(); // before compiling: a file saved meanwhile makes the next check rebuild
  rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
  const { rspack } = require('@rspack/core');
  const configs = require('../rspack.config.js');
  return new Promise((resolve, reject) => {
    rspack(configs).run((err, stats) => {
      if (err) return reject(err);
      const text = stats.toString({ preset: 'errors-warnings', colors: process.stderr.isTTY });
      if (stats.hasErrors()) {
        process.stderr.write(`${text}\n`);
        return reject(new Error('build failed'));
      }
      if (stats.hasWarnings()) process.stderr.write(`${text}\n`);
      require('./write-build-info').writeBuildInfo({ quiet });
      writeStamp(hash);
      if (!quiet) process.stderr.write(`build: dist/apps/api, dist/apps/cli and dist/apps/dashboard in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      resolve();
    });
  });
}

module.exports = { build };

if (require.main === module) {
  build().catch((e) => {
    process.stderr.write(`build: ${e.message}\n`);
    process.exit(1);
  });
}
