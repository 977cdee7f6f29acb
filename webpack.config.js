// Nest CLI's webpack config, with two changes, both for the fail-fast path (bench/failfast/results.md):
// - joi (and its @hapi/@standard-schema helpers) is bundled instead of required from node_modules: resolving its
//   ~60 files one by one was most of that path's start-up time;
// - the bundle is minified (names kept: Nest, TypeORM and the logs rely on class and function names), so V8 has
//   less to parse before the environment is validated.
const nodeExternals = require('webpack-node-externals');
const TerserPlugin = require('terser-webpack-plugin');

module.exports = (options) => ({
  ...options,
  externals: [nodeExternals({ allowlist: [/^joi(\/|$)/, /^@hapi\//, /^@standard-schema\//] })],
  optimization: {
    ...(options.optimization ?? {}),
    minimize: true,
    minimizer: [
      new TerserPlugin({
        extractComments: false,
        terserOptions: { keep_classnames: true, keep_fnames: true, compress: { passes: 1 } },
      }),
    ],
  },
});
