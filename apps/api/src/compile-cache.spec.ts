import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileCacheDir, installCompileCache, removeOlderBuilds, type NodeModuleApi } from './compile-cache';

const ROOT = resolve(__dirname, '../../..');

interface Run {
  out: unknown;
  dir: string | undefined;
  kind: string | undefined;
  chunks: Array<{ file: string; fromCache: boolean }>;
  stderr: string;
}

/**
 * One process start, as main.ts does it: install, load the chunk, write. A child process, because Jest's module
 * registry never goes through Node's Module.prototype._compile. `node: 'hand-written'` hands it a node:module without
 * enableCompileCache (Node 20's), so the hand-written path is what runs on any Node; 'running' is the real module.
 */
function start(chunk: string, dir: string, write = true, node: 'hand-written' | 'running' = 'hand-written'): Run {
  const script = `
    const { installCompileCache } = require(${JSON.stringify(join(__dirname, 'compile-cache.ts'))});
    const cache = installCompileCache(${JSON.stringify(join(chunk, '..'))}, ${JSON.stringify(dir)}${node === 'hand-written' ? ', {}' : ''});
    const out = require(${JSON.stringify(chunk)});
    ${write ? 'cache.write();' : ''}
    process.stdout.write(JSON.stringify({ out, dir: cache.dir, kind: cache.kind, chunks: cache.chunks }));`;
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

  it("removes older builds' caches when writing one, only its own 0700 directories of the same naming", () => {
    const parent = join(root, 'tmp');
    mkdirSync(parent);
    const older = ['signalgate-compile-cache-0a1b', 'signalgate-compile-cache-ffff'].map((n) => join(parent, n));
    for (const d of older) mkdirSync(d, { mode: 0o700 });
    const kept = ['signalgate-compile-cache-beef', 'signalgate-postgres-0123', 'signalgate-initdb-abc', 'other-compile-cache-00'];
    mkdirSync(join(parent, kept[0]), { mode: 0o755 }); // not ours alone: left
    for (const n of kept.slice(1)) mkdirSync(join(parent, n), { mode: 0o700 });
    const current = join(parent, 'signalgate-compile-cache-1234');
    const run = start(chunk, current);
    expect(run.dir).toBe(current);
    expect(readdirSync(parent).sort()).toEqual([...kept, 'signalgate-compile-cache-1234'].sort());
    // NODE_COMPILE_CACHE's naming (signalgate-<build>) likewise.
    mkdirSync(join(parent, 'signalgate-99'), { mode: 0o700 });
    removeOlderBuilds(join(parent, 'signalgate-aa'));
    expect(existsSync(join(parent, 'signalgate-99'))).toBe(false);
    expect(existsSync(join(parent, 'signalgate-postgres-0123'))).toBe(true);
  });

  it("uses the running Node's own cache where module.enableCompileCache exists (Node >= 22.1), else the hand-written one", () => {
    const dir = join(root, 'signalgate-compile-cache-abcd');
    const builtin = typeof (Module as NodeModuleApi).enableCompileCache === 'function';
    const first = start(chunk, dir, true, 'running');
    expect(first.out).toEqual({ answer: 42, file: chunk, join: 'function' });
    expect(first.kind).toBe(builtin ? 'node' : 'hand-written');
    expect(first.dir).toBe(dir);
    expect(readdirSync(dir, { recursive: true }).length).toBeGreaterThan(0);
    expect(statSync(dir).mode & 0o077).toBe(0);
    expect(start(chunk, dir, true, 'running').out).toEqual({ answer: 42, file: chunk, join: 'function' });
  });
});

describe('compile cache on Node >= 22.1 (node:module stubbed)', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'sg-compile-cache-node-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const statuses = { FAILED: 0, ENABLED: 1, ALREADY_ENABLED: 2, DISABLED: 3 };
  const nodeModule = (status: number) => {
    const api = {
      enableCompileCache: jest.fn((directory: string) => ({ status, directory, message: status === 0 ? 'EACCES' : undefined })),
      flushCompileCache: jest.fn(),
      constants: { compileCacheStatus: statuses },
    };
    return api;
  };

  it("enables Node's cache in a 0700 directory of its own, flushes it after ready, hooks nothing itself", () => {
    const proto = (Module as unknown as { prototype: { _compile: unknown } }).prototype;
    const compile = proto._compile;
    const node = nodeModule(statuses.ENABLED);
    const dir = join(root, 'signalgate-compile-cache-12ab');
    mkdirSync(join(root, 'signalgate-compile-cache-0000'), { mode: 0o700 });
    const cache = installCompileCache(join(root, 'dist'), dir, node);
    expect(node.enableCompileCache).toHaveBeenCalledWith(dir);
    expect(cache).toMatchObject({ dir, kind: 'node', chunks: [] });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(proto._compile).toBe(compile);
    cache.write();
    expect(node.flushCompileCache).toHaveBeenCalledTimes(1);
    expect(readdirSync(root)).toEqual(['signalgate-compile-cache-12ab']);
  });

  it('already on elsewhere (Node read NODE_COMPILE_CACHE itself): uses that, leaves no empty build directory', () => {
    const elsewhere = join(root, 'node-cache');
    const node = { ...nodeModule(statuses.ALREADY_ENABLED), enableCompileCache: jest.fn(() => ({ status: statuses.ALREADY_ENABLED, directory: elsewhere })) };
    const cache = installCompileCache(join(root, 'dist'), join(root, 'signalgate-ab12'), node);
    expect(cache).toMatchObject({ dir: elsewhere, kind: 'node' });
    expect(readdirSync(root)).toEqual([]);
  });

  it('does not enable it in a directory others can write to, and starts without it when Node refuses', () => {
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const node = nodeModule(statuses.ENABLED);
    expect(installCompileCache(join(root, 'dist'), shared, node).dir).toBeUndefined();
    expect(node.enableCompileCache).not.toHaveBeenCalled();

    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const failed = installCompileCache(join(root, 'dist'), join(root, 'c'), nodeModule(statuses.FAILED));
      expect(failed).toMatchObject({ dir: undefined, kind: undefined });
      expect(String(write.mock.calls[0][0])).toContain('compile cache not enabled');
      expect(() => failed.write()).not.toThrow();
    } finally {
      write.mockRestore();
    }
  });
});
