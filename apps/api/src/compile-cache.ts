// V8 code cache for the API's own bundle chunks (issue 15: parsing and lazily compiling the 3 MB of chunks was about
// a third of spawn → ready, and the parser's zone memory stayed in glibc's heap as ~15 MiB of RSS).
// On Node >= 22.1 this is Node's own cache (`module.enableCompileCache(dir)`, flushed after ready so it holds the
// functions boot compiled lazily too). Node 20 has none, and v8-compile-cache (2.4, 2019) only caches what is compiled
// before the first run, so there it is hand-written: the cache is written after ready (createCachedData then includes
// everything boot compiled), one file per chunk. Either way it lives in a directory named by the build's hash (older
// builds' directories are removed when a new one is written). V8 itself rejects data from another V8 version or flag
// set (`script.cachedDataRejected`); the chunk is then compiled from source and its cache rewritten. Nothing here may
// fail a boot: an unreadable, corrupt or unwritable cache only costs the compile. Cached data is code: a directory
// that another user owns or can write to is not used.
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import type { CompileCacheSettings } from '@app/config/node-runtime-env';

export interface CompileCache {
  /** Where the cache lives, or undefined when disabled. */
  readonly dir: string | undefined;
  /** Node's own (Node >= 22.1) or the hand-written one (Node 20); undefined when disabled. */
  readonly kind: 'node' | 'hand-written' | undefined;
  /** The chunks compiled so far, and whether V8 took their code from the cache. */
  readonly chunks: ReadonlyArray<{ file: string; fromCache: boolean }>;
  /** Writes the cache of every chunk that had none (or a rejected one), then removes older builds'. Never throws. */
  write(): void;
  /** Stops intercepting module compilation. */
  uninstall(): void;
}

/** What is used of `node:module` (Node >= 22.1 has the two functions); the specs pass their own. */
export interface NodeModuleApi {
  enableCompileCache?: (dir: string) => { status: number; message?: string; directory?: string };
  flushCompileCache?: () => void;
  constants?: { compileCacheStatus?: { ENABLED: number; ALREADY_ENABLED: number } };
}

interface ModuleInternals {
  _compile(content: string, filename: string, ...rest: unknown[]): unknown;
  exports: unknown;
}

const CHUNK = /^\d+\.main\.js$/;
// Node's CommonJS wrapper (Module.wrap); the prefix shares line 1 with the chunk.
const PREFIX = '(function (exports, require, module, __filename, __dirname) { ';
const SUFFIX = '\n});';

declare const __webpack_hash__: string | undefined;

/** The webpack build's hash; undefined when not running from a webpack bundle (ts-node, jest). */
export function buildId(): string | undefined {
  return typeof __webpack_hash__ === 'string' ? __webpack_hash__ : undefined;
}

/**
 * `$NODE_COMPILE_CACHE/signalgate-<build>` (the variable Node 22 reads for its own cache), else
 * `<os temp dir>/signalgate-compile-cache-<build>`; undefined (no cache) with NODE_DISABLE_COMPILE_CACHE=1, as in
 * Node 22, or outside a webpack build.
 */
export function compileCacheDir(env: CompileCacheSettings, build: string | undefined = buildId()): string | undefined {
  if (build === undefined || (env.NODE_DISABLE_COMPILE_CACHE && env.NODE_DISABLE_COMPILE_CACHE !== '0')) return undefined;
  const configured = env.NODE_COMPILE_CACHE?.trim();
  return configured ? join(configured, `signalgate-${build}`) : join(tmpdir(), `signalgate-compile-cache-${build}`);
}

/** False when the directory exists but is not ours alone (another user could plant code in it). */
function trustworthy(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
    return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0;
  } catch {
    return true; // not created yet: write() creates it, mode 0700
  }
}

/**
 * From now on, the webpack chunks in `chunkDir` (`<id>.main.js`) are compiled with the code cache in `dir`.
 * Other modules (node_modules, Node's own) are compiled by Node as usual.
 */
export function installCompileCache(chunkDir: string, wanted: string | undefined, node: NodeModuleApi = Module as NodeModuleApi): CompileCache {
  if (wanted !== undefined && typeof node.enableCompileCache === 'function') return nodeCompileCache(wanted, node);
  const dir = wanted !== undefined && trustworthy(wanted) ? wanted : undefined;
  const proto = (Module as unknown as { prototype: ModuleInternals }).prototype;
  const original = proto._compile;
  const pending: { script: Script; file: string }[] = [];
  const chunks: { file: string; fromCache: boolean }[] = [];

  function compileWithCache(this: ModuleInternals, content: string, filename: string, ...rest: unknown[]): unknown {
    if (dir === undefined || dirname(filename) !== chunkDir || !CHUNK.test(basename(filename))) {
      return original.call(this, content, filename, ...rest);
    }
    const file = join(dir, `${basename(filename, '.js')}.${process.version}-${process.arch}.v8cache`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      cachedData = undefined; // not written yet
    }
    // Stack trace columns stay those of the file. No importModuleDynamically: webpack compiles import() away (a
    // native one in a chunk would fail loudly, ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
    const script = new Script(PREFIX + content + SUFFIX, { filename, cachedData, columnOffset: -PREFIX.length });
    const fromCache = cachedData !== undefined && script.cachedDataRejected === false;
    chunks.push({ file: filename, fromCache });
    if (!fromCache) pending.push({ script, file });
    cachedData = undefined;
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return fn.call(this.exports, this.exports, Module.createRequire(filename), this, filename, chunkDir);
  }

  proto._compile = compileWithCache;
  return {
    dir,
    kind: dir === undefined ? undefined : 'hand-written',
    chunks,
    write() {
      if (dir === undefined) return;
      const todo = pending.splice(0);
      if (todo.length === 0) return;
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (!trustworthy(dir)) throw new Error('directory not owned by this user alone');
        for (const { script, file } of todo) {
          // Written aside, then renamed: a process starting meanwhile reads the old file or the whole new one.
          const tmp = `${file}.${process.pid}.tmp`;
          try {
            writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
            renameSync(tmp, file);
          } catch (e) {
            rmSync(tmp, { force: true }); // e.g. ENOSPC half-way
            throw e;
          }
        }
        removeOlderBuilds(dir);
      } catch (e) {
        process.stderr.write(
          `signalgate api: compile cache not written to ${dir} (${e instanceof Error ? e.message : String(e)}); start-up compiles from source\n`,
        );
      }
    },
    uninstall() {
      if (proto._compile === compileWithCache) proto._compile = original;
    },
  };
}

/**
 * Node's own cache in `dir` (created 0700 first, so that the ownership check holds): every CommonJS module loaded from
 * now on, chunks and external packages alike. Written by Node at exit and by write() (after ready).
 */
function nodeCompileCache(wanted: string, node: NodeModuleApi): CompileCache {
  let dir: string | undefined;
  try {
    mkdirSync(wanted, { recursive: true, mode: 0o700 });
    if (trustworthy(wanted)) {
      const result = node.enableCompileCache!(wanted);
      const ok = node.constants?.compileCacheStatus;
      if (ok && (result.status === ok.ENABLED || result.status === ok.ALREADY_ENABLED)) dir = result.directory ?? wanted;
      // Already on elsewhere (Node read NODE_COMPILE_CACHE itself at start-up): the directory made above stays unused.
      if (dir !== undefined && dir !== wanted) rmdirSync(wanted);
      else
        process.stderr.write(
          `signalgate api: compile cache not enabled in ${wanted} (${result.message ?? `status ${result.status}`}); start-up compiles from source\n`,
        );
    }
  } catch (e) {
    process.stderr.write(
      `signalgate api: compile cache not enabled in ${wanted} (${e instanceof Error ? e.message : String(e)}); start-up compiles from source\n`,
    );
  }
  return {
    dir,
    kind: dir === undefined ? undefined : 'node',
    chunks: [],
    write() {
      if (dir === undefined) return;
      try {
        node.flushCompileCache?.();
        removeOlderBuilds(dir);
      } catch (e) {
        process.stderr.write(
          `signalgate api: compile cache not written to ${dir} (${e instanceof Error ? e.message : String(e)}); start-up compiles from source\n`,
        );
      }
    },
    uninstall() {
      /* Node's cache stays on for the process (there is no way to turn it off) */
    },
  };
}

/**
 * Removes the caches of other builds next to `dir` (same name but the build hash): each build's start-up writes its
 * own, so they would pile up under the temp dir. Only directories of this user alone (0700-like), never others'.
 */
export function removeOlderBuilds(dir: string): void {
  const build = /^(signalgate-(?:compile-cache-)?)[0-9a-f]+$/.exec(basename(dir));
  if (!build) return;
  const sibling = new RegExp(`^${build[1]}[0-9a-f]+$`);
  const parent = dirname(dir);
  for (const name of readdirSync(parent)) {
    const path = join(parent, name);
    if (path === dir || !sibling.test(name) || !ownedAlone(path)) continue;
    rmSync(path, { recursive: true, force: true });
  }
}

function ownedAlone(path: string): boolean {
  try {
    const st = lstatSync(path);
    const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
    return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}
