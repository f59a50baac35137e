// Prints one plain closing line, `Tests: N passed, N failed, N skipped`, that any CI can read, preceded by the five
// slowest test files (where the suite's time goes: the first thing to look at when `npm test` grows slow).
import { relative } from 'node:path';

export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests, numRuntimeErrorTestSuites } = results;
    const slowest = results.testResults
      .map((r) => ({ file: relative(process.cwd(), r.testFilePath), seconds: (r.perfStats.end - r.perfStats.start) / 1000 }))
      .filter((r) => Number.isFinite(r.seconds) && r.seconds > 0)
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 5);
    if (results.testResults.length > 5 && slowest.length) {
      process.stdout.write(`\nSlowest test files: ${slowest.map((r) => `${r.file} ${r.seconds.toFixed(0)} s`).join(', ')}\n`);
    }
    const failed = numFailedTests + numRuntimeErrorTestSuites;
    process.stdout.write(`\nTests: ${numPassedTests} passed, ${failed} failed, ${numPendingTests + numTodoTests} skipped\n`);
  }
}
