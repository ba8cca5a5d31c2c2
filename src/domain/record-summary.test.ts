import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarizeRecord } from './record-summary.js';

const sample = JSON.parse(
  readFileSync(
    new URL('../../vendor/orcid-model/record_3.0/samples/read_samples/record-full-3.0.json', import.meta.url),
    'utf8',
  ),
);

describe('summarizeRecord', () => {
  it("reads the name from ORCID's record sample and skips employments that ended", () => {
    const s = summarizeRecord(sample);
    expect(s.name).toBe('Three releasecandidate1');
    // Every employment in the sample has an end date.
    expect(s.employments).toEqual([]);
  });

  it('lists current employments with role, department and start year; credit name wins', () => {
    const s = summarizeRecord({
      person: {
        name: {
          'given-names': { value: 'Ada' },
          'family-name': { value: 'Lovelace' },
          'credit-name': { value: 'A. Lovelace' },
        },
      },
      'activities-summary': {
        employments: {
          'affiliation-group': [
            {
              summaries: [
                {
                  'employment-summary': {
                    organization: { name: 'Analytical Society' },
                    'role-title': 'Fellow',
                    'department-name': null,
                    'start-date': { year: { value: '1840' } },
                    'end-date': null,
                  },
                },
              ],
            },
          ],
        },
      },
    });
    expect(s).toEqual({
      name: 'A. Lovelace',
      employments: [
        { organization: 'Analytical Society', role: 'Fellow', department: null, startYear: '1840' },
      ],
    });
  });

  it('copes with a record that hides everything', () => {
    expect(summarizeRecord({ person: { name: null } })).toEqual({ name: null, employments: [] });
    expect(summarizeRecord(null)).toEqual({ name: null, employments: [] });
  });
});
