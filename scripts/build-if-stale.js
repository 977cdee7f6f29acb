#!/usr/bin/env node
// Builds dist/ only when an input changed since the last build (scripts/build-stamp.js): `npm start`, `npm run cli`
// and `npm run test:e2e` run this instead of a full build. `--quiet`: print nothing when nothing is built.
const { inputsHash, isFresh } = require('./build-stamp');

const quiet = process.argv.includes('--quiet');
if (isFresh(inputsHash())) {
  if (!quiet) process.stderr.write('build: dist/ is up to date with the sources (nothing to build)\n');
} else {
  require('./build')
    .build({ quiet })
    .catch((e) => {
      process.stderr.write(`build: ${e.message}\n`);
      process.exit(1);
    });
}
