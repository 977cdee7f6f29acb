// Writes dist/build-info.json (git sha and build time) for GET /api/version. Run by scripts/build.js.
const { execSync } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

function writeBuildInfo({ quiet = false } = {}) {
  let sha = process.env.GIT_SHA || 'unknown';
  if (sha === 'unknown') {
    try {
      sha = execSync('git rev-parse HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      /* not a git checkout (a container build context): keep "unknown" */
    }
  }
  const info = { git_sha: sha, build_time: new Date().toISOString(), version: require('../package.json').version };
  writeFileSync(join(__dirname, '..', 'dist', 'build-info.json'), `${JSON.stringify(info, null, 2)}\n`);
  if (!quiet) console.log(`build-info: ${info.version} ${sha.slice(0, 12)} ${info.build_time}`);
}

module.exports = { writeBuildInfo };

if (require.main === module) writeBuildInfo();
