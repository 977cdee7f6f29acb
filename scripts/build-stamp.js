// What a build of dist/ was made from: one hash over every input of `npm run build` (sources, configs, the lock file,
// the build scripts, SG_NO_MINIFY), written to dist/.build-stamp after a successful build. scripts/build-if-stale.js
// compares it with the working tree's, so `npm start`, `npm run cli` and `npm run test:e2e` build only when a
// source changed (and CI, which runs `npm run build` first, does not build twice).
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, writeFileSync, rmSync } = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const DIRS = ['apps', 'libs', 'migrations'];
const FILES = ['package.json', 'package-lock.json', 'rspack.config.js', 'scripts/build.js', 'scripts/build-stamp.js', 'scripts/write-build-info.js'];
/** What the build writes; a stamp is only believed when all of it is there. */
const OUTPUTS = ['dist/apps/api/main.js', 'dist/apps/cli/main.js', 'dist/apps/dashboard/dashboard.js', 'dist/build-info.json'];

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** sha256 over the inputs' paths and contents (sorted, so the order readdir gives does not matter). */
function inputsHash(root = ROOT, env = process.env) {
  const files = DIRS.flatMap((d) => (existsSync(join(root, d)) ? walk(join(root, d), []) : []));
  for (const entry of readdirSync(root)) if (/^tsconfig.*\.json$/.test(entry)) files.push(join(root, entry));
  for (const f of FILES) if (existsSync(join(root, f))) files.push(join(root, f));
  const hash = createHash('sha256').update(`SG_NO_MINIFY=${env.SG_NO_MINIFY ?? ''}\0`);
  for (const file of files.map((f) => relative(root, f)).sort()) {
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

const stampFile = (root = ROOT) => join(root, 'dist', '.build-stamp');

/** True when dist/ holds a complete build of exactly these inputs. */
function isFresh(hash, root = ROOT) {
  if (!OUTPUTS.every((o) => existsSync(join(root, o)))) return false;
  try {
    return readFileSync(stampFile(root), 'utf8').trim() === hash;
  } catch {
    return false;
  }
}

const writeStamp = (hash, root = ROOT) => writeFileSync(stampFile(root), `${hash}\n`);
const removeStamp = (root = ROOT) => rmSync(stampFile(root), { force: true });

module.exports = { inputsHash, isFresh, writeStamp, removeStamp, OUTPUTS };
