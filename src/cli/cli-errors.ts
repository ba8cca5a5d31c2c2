// How commands end on an operator's mistake: the message on stderr and exit code 2 (no stack).
// A refused upload lists its problems by row and column. Anything else is a bug and is thrown.
import { formatProblem, UploadRefused } from '../domain/upload-file.js';

export class UsageError extends Error {}

export function fail(e: unknown): never {
  if (e instanceof UsageError) {
    console.error(e.message);
    process.exit(2);
  }
  if (e instanceof UploadRefused) {
    console.error(`The file was not accepted; nothing was changed. ${e.problems.length} problem(s):`);
    for (const p of e.problems.slice(0, 200)) console.error(`  ${formatProblem(p)}`);
    if (e.problems.length > 200) console.error(`  …and ${e.problems.length - 200} more`);
    process.exit(2);
  }
  throw e;
}
