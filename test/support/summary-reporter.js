// Prints one closing line a CI reader understands, "<suite>: N passed, N failed[, N skipped]", as the very last
// line of the run (at process exit, after Jest's own summary).
const { writeSync } = require('node:fs');

class SummaryReporter {
  constructor(_globalConfig, options = {}) {
    this.label = options.label || 'tests';
  }

  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${this.label}: ${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
    process.once('exit', () => writeSync(2, `\n${line}`));
  }
}

module.exports = SummaryReporter;
