// Writes the totals where .ci/run reads them, so CI's last line does not depend on jest's
// own summary format.
const { writeFileSync } = require('node:fs');

class CountReporter {
  onRunComplete(_contexts, results) {
    const out = process.env.TEST_COUNTS_FILE;
    if (!out) return;
    // Suites that failed to run count as failures too: their tests never passed.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    writeFileSync(out, JSON.stringify({ passed: results.numPassedTests, failed }));
  }
}
module.exports = CountReporter;
