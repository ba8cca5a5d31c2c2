// Process entry: loads .env when present, then runs the CLI (which starts the chosen role).
import { existsSync } from 'node:fs';
import { buildProgram } from './cli/program.js';
import { ConfigError } from './config.js';

if (existsSync('.env')) process.loadEnvFile('.env');

buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    console.error(e instanceof ConfigError ? e.message : e instanceof Error ? e.message : e);
    process.exit(1);
  });
