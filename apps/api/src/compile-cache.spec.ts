import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileCacheDir } from './compile-cache';

const ROOT = resolve(__dirname, '../../..');

interface Run {
  out: unknown;
  dir: string | undefined;
  chunks: Array<{ file: string; fromCache: boolean }>;
  stderr: string;
}

/**
 * One process start, as main.ts does it: install, load the chunk, write. A child process, because Jest's module
 * registry never goes through Node's Module.prototype._compile.
 */
function start(chunk: string, dir: string, write = true): Run {
  const script = `
    const { installCompileCache } = require(${JSON.stringify(join(__dirname, 'compile-cache.ts'))});
    const cache = installCompileCache(${JSON.stringify(join(chunk, '..'))}, ${JSON.stringify(dir)});
    const out = require(${JSON.stringify(chunk)});
    ${write ? 'cache.write();' : ''}
    process.stdout.write(JSON.stringify({ out, dir: cache.dir, chunks: cache.chunks }));`;
  const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  return { ...(JSON.parse(child.stdout) as Omit<Run, 'stderr'>), stderr: child.stderr };
}

describe('compile cache', () => {
  let root: string;
  let chunk: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sg-compile-cache-'));
    mkdirSync(join(root, 'dist'));
    chunk = join(root, 'dist', '7.main.js');
    writeFileSync(chunk, 'exports.answer = (() => 6 * 7)(); exports.file = __filename; exports.join = typeof require("node:path").join;');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('compiles a chunk from source and writes its cache; the next start takes the code from it', () => {
    const dir = join(root, 'cache');
    const first = start(chunk, dir);
    expect(first.out).toEqual({ answer: 42, file: chunk, join: 'function' });
    expect(first.chunks).toEqual([{ file: chunk, fromCache: false }]);
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^7\.main\..*\.v8cache$/)]);

    const second = start(chunk, dir);
    expect(second.out).toEqual({ answer: 42, file: chunk, join: 'function' });
    expect(second.chunks).toEqual([{ file: chunk, fromCache: true }]);
  });

  it('leaves other files to Node', () => {
    const other = join(root, 'dist', 'main.js');
    writeFileSync(other, 'exports.answer = 1;');
    const run = start(other, join(root, 'cache'));
    expect(run.out).toEqual({ answer: 1 });
    expect(run.chunks).toEqual([]);
  });

  it('compiles from source when the cache file is corrupt, then replaces it', () => {
    const dir = join(root, 'cache');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, `7.main.${process.version}-${process.arch}.v8cache`), 'not a code cache');
    expect(start(chunk, dir).chunks).toEqual([{ file: chunk, fromCache: false }]);
    expect(start(chunk, dir).chunks).toEqual([{ file: chunk, fromCache: true }]);
  });

  it('starts all the same when the directory cannot be written', () => {
    const blocker = join(root, 'file');
    writeFileSync(blocker, '');
    const run = start(chunk, join(blocker, 'cache'));
    expect(run.out).toMatchObject({ answer: 42 });
    expect(run.stderr).toContain('compile cache not written');
  });

  it('does not use a directory that others can write to (cached data is code)', () => {
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const run = start(chunk, shared);
    expect(run.dir).toBeUndefined();
    expect(run.out).toMatchObject({ answer: 42 });
    expect(readdirSync(shared)).toEqual([]);
  });

  it('lives under NODE_COMPILE_CACHE or the temp dir, per build; off without a build or when disabled', () => {
    expect(compileCacheDir({ NODE_COMPILE_CACHE: '/var/cache/sg' }, 'abc')).toBe('/var/cache/sg/signalgate-abc');
    expect(compileCacheDir({}, 'abc')).toBe(join(tmpdir(), 'signalgate-compile-cache-abc'));
    expect(compileCacheDir({ NODE_DISABLE_COMPILE_CACHE: '1' }, 'abc')).toBeUndefined();
    expect(compileCacheDir({}, undefined)).toBeUndefined();
  });
});
