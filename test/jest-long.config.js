/**
 * The long tier (`npm run test:long`, part of `npm run test:all`): suites that run for minutes by design (the soak,
 * the three-replica fleet, failovers). Same set-up as the e2e tier (test/jest-e2e.json); only the files differ.
 */
const e2e = require('./jest-e2e.json');

module.exports = {
  ...e2e,
  testRegex: 'test/.*\\.long-spec\\.ts$',
  reporters: ['default', ['<rootDir>/test/support/summary-reporter.js', { label: 'long' }]],
};
