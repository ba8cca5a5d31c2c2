// Process entry: loads .env when present, then runs the CLI (which starts the chosen role).
import { existsSync } from 'node:fs';
import { buildProgram } from './cli/program.js';

if (existsSync('.env')) process.loadEnvFile('.env');

buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    // Always words: a library that rejects with nothing must not print "undefined".
    const words = e instanceof Error ? e.message : e === undefined || e === null ? '' : String(e);
    console.error(words || 'lanyard failed without giving a reason (see the lines above)');
    process.exit(1);
  });
