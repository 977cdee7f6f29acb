/** Unit tests: specs next to the code. E2e tests live in test/ with their own config (test/jest-e2e.json). */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  reporters: ['default', ['<rootDir>/test/support/summary-reporter.js', { label: 'unit' }]],
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: '(apps|libs|migrations|scripts)/.*\\.spec\\.ts$',
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleNameMapper: {
    '^@app/migrations(|/.*)$': '<rootDir>/migrations$1',
    '^@app/(config|database|redis|observability|health|delivery|auth|cache|routing)(|/.*)$': '<rootDir>/libs/$1/src$2',
  },
};
