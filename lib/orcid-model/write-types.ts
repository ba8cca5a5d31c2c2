// npm run gen:types: writes the generated ORCID JSON types.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTypes } from './generate-types.js';
import { sharedModel } from './orcid-model.js';

const target = join(dirname(fileURLToPath(import.meta.url)), '../../src/orcid/model.generated.ts');
writeFileSync(target, generateTypes(sharedModel()));
console.log(`wrote ${target}`);
