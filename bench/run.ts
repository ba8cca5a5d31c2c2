// `npm run bench -- <name> [options]`: runs bench/<name>.bench.ts, which prints one JSON line per scenario.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace('.bench.ts', ''));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ')}`);
  process.exit(2);
}
const mod = (await import(pathToFileURL(`${here}/${name}.bench.ts`).href)) as {
  run: (args: string[]) => Promise<void>;
};
await mod.run(process.argv.slice(3));
