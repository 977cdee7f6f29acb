// Nest CLI's webpack config, with one change: joi (and its @hapi/@standard-schema helpers) is bundled instead of
// required from node_modules. The fail-fast path loads nothing else, and resolving joi's ~60 files one by one was
// most of its start-up time (see bench/failfast/results.md).
const nodeExternals = require('webpack-node-externals');

module.exports = (options) => ({
  ...options,
  externals: [nodeExternals({ allowlist: [/^joi(\/|$)/, /^@hapi\//, /^@standard-schema\//] })],
});
