import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTypes } from '../../lib/orcid-model/generate-types.js';
import { sharedModel } from '../../lib/orcid-model/orcid-model.js';
import type { Employment, Work } from './model.generated.js';

describe('typed ORCID model', () => {
  it('is generated from the XSDs and up to date (npm run gen:types)', () => {
    const committed = readFileSync(join(import.meta.dirname, 'model.generated.ts'), 'utf8');
    expect(committed).toBe(generateTypes(sharedModel()));
  });

  it("types ORCID's own samples", () => {
    const dir = join(sharedModel().dir, 'record_3.0/samples/write_samples');
    const work = JSON.parse(readFileSync(join(dir, 'work-full-3.0.json'), 'utf8')) as Work;
    expect(work.title.title?.value).toBe('Work Title');
    expect(work['external-ids']?.['external-id']?.[0]?.['external-id-type']).toBe('doi');
    const employment = JSON.parse(readFileSync(join(dir, 'employment-3.0.json'), 'utf8')) as Employment;
    expect(employment.organization?.address?.country).toBe('US');
  });
});
