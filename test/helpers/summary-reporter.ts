// Prints the plain closing line CI reads: "N passed, N failed" (and skipped when any), preceded by
// one "FAILED:" line per failure, so that a log cut to its tail still names what failed.
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]?.slice(0, 300) ?? '';
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const failures: string[] = [];
    for (const mod of testModules) {
      const failedBefore = failed;
      for (const test of mod.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') {
          failed++;
          failures.push(
            `${relative(process.cwd(), mod.moduleId)} > ${test.fullName}: ${firstLine(result.errors?.[0]?.message)}`,
          );
        } else skipped++;
      }
      // A file that failed to load, or whose setup (beforeAll) failed so that its tests were
      // skipped, counts as a failure although none of its tests did.
      if (mod.state() === 'failed' && failed === failedBefore) {
        failed++;
        failures.push(`${relative(process.cwd(), mod.moduleId)}: ${firstLine(mod.errors()[0]?.message)}`);
      }
    }
    for (const error of unhandledErrors) {
      failed++;
      failures.push(`unhandled: ${firstLine(error instanceof Error ? error.message : String(error))}`);
    }
    console.log('');
    for (const failure of failures) console.log(`FAILED: ${failure}`);
    console.log(
      `${failures.length ? '\n' : ''}${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`,
    );
  }
}
