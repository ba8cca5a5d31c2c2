import { describe, expect, it } from 'vitest';
import { affiliationsCsv, parseAffiliationsCsv } from './affiliation-csv.js';
import { decodeUpload, MAX_UPLOAD_BYTES, UploadRefused } from './upload-file.js';

const HEADER = 'local_id,source_key,type,role,department,start_date,end_date';

function problems(text: string) {
  try {
    parseAffiliationsCsv(text);
  } catch (e) {
    if (e instanceof UploadRefused) return e.problems;
    throw e;
  }
  throw new Error('accepted');
}

describe('affiliations CSV', () => {
  it('reads rows into ORCID affiliation payloads, with tolerant headers and partial dates', () => {
    const rows = parseAffiliationsCsv(
      'Employee ID;Key;Affiliation Type;Job Title;Dept;Start;End\n'.replaceAll(';', ',') +
        'E1,emp-1,Employment,Professor,Physics,2019-03,\n' +
        'E1,edu-1,invited position,Visiting fellow,,2020,2021-06-30\n',
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      row: 2,
      section: 'employment',
      desired: 'present',
      values: { local_id: 'E1', source_key: 'emp-1', role: 'Professor' },
      payload: {
        'role-title': 'Professor',
        'department-name': 'Physics',
        'start-date': { year: { value: '2019' }, month: { value: '03' } },
      },
    });
    expect(rows[0]!.payload['end-date']).toBeUndefined();
    expect(rows[1]!.section).toBe('invited-position');
    expect(rows[1]!.payload['end-date']).toEqual({
      year: { value: '2021' },
      month: { value: '06' },
      day: { value: '30' },
    });
  });

  it('names the organisation when the row does, with its identifier', () => {
    const [row] = parseAffiliationsCsv(
      'local_id,source_key,type,organisation,city,country,disambiguated_id,disambiguation_source\n' +
        'E1,k1,education,Other University,Paris,fr,https://ror.org/02feahw73,ror\n',
    );
    expect(row!.payload.organization).toEqual({
      name: 'Other University',
      address: { city: 'Paris', region: null, country: 'FR' },
      'disambiguated-organization': {
        'disambiguated-organization-identifier': 'https://ror.org/02feahw73',
        'disambiguation-source': 'ROR',
      },
    });
  });

  it('refuses missing and unknown columns, naming them', () => {
    expect(problems('local_id,type,colour\nE1,employment,red\n')).toEqual([
      expect.objectContaining({
        row: 1,
        column: 'colour',
        message: expect.stringContaining('Unknown column'),
      }),
      expect.objectContaining({ row: 1, column: 'source_key', message: expect.stringContaining('missing') }),
    ]);
  });

  it('reports every bad cell by row and column: dates, order, country, type, action, duplicates', () => {
    const p = problems(
      `${HEADER},country,organisation,city,action\n` +
        'E1,k1,employment,,,2020-13,,,,,\n' +
        'E1,k2,employment,,,2021-02-30,,,,,\n' +
        'E1,k3,employment,,,2022-05,2021,,,,\n' +
        'E1,k4,employment,,,,,XX,Somewhere,Town,\n' +
        'E1,k5,job,,,,,,,,\n' +
        'E1,k6,employment,,,,,,,,erase\n' +
        'E1,k6,employment,,,,,,,,\n' +
        ',k7,employment,,,yesterday,,,,,\n',
    );
    const at = (row: number) => p.filter((x) => x.row === row).map((x) => [x.column, x.message]);
    expect(at(2)).toEqual([['start_date', expect.stringContaining('no month 13')]]);
    expect(at(3)).toEqual([['start_date', expect.stringContaining('not a day')]]);
    expect(at(4)).toEqual([['end_date', expect.stringContaining('before the start')]]);
    expect(at(5)).toEqual([
      ['country', expect.stringContaining('"XX" is not an ISO 3166')],
      ['disambiguated_id', expect.stringContaining("needs the organisation's identifier")],
    ]);
    expect(at(6)).toEqual([['type', expect.stringContaining('"job" is not an affiliation type')]]);
    expect(at(7)).toEqual([['action', expect.stringContaining('"erase"')]]);
    expect(at(8)).toEqual([['source_key', 'k6 is already on row 7.']]);
    expect(at(9)).toEqual([
      ['local_id', 'local_id is empty.'],
      ['start_date', expect.stringContaining('not a date')],
    ]);
  });

  it('an end date in the same year or month as the start is not "before" it', () => {
    expect(parseAffiliationsCsv(`${HEADER}\nE1,k,employment,,,2020-05-04,2020\n`)).toHaveLength(1);
  });

  it('reports broken quoting with its line', () => {
    const p = problems(`${HEADER}\nE1,k1,employment,"Professor,,,2020,\nE1,k2,employment,x"y,,,\n`);
    expect(p).toEqual([
      expect.objectContaining({
        row: expect.any(Number),
        message: expect.stringMatching(/cannot be read: .*[Qq]uote/),
      }),
    ]);
  });

  it('exports with put codes and statuses, neutralising formula-looking cells; the export reads back the same', () => {
    const rows = parseAffiliationsCsv(`${HEADER}\nE1,k1,employment,"=HYPERLINK(""x"")",@dept,2020,\n`);
    const csv = affiliationsCsv(
      rows.map((r) => ({ values: r.values, putCode: '123', status: 'in_orcid', detail: '+1 from ORCID' })),
    );
    expect(csv).toContain(`'=HYPERLINK(""x"")`);
    expect(csv).toContain("'@dept");
    expect(csv).toContain("123,in_orcid,'+1 from ORCID");
    const again = parseAffiliationsCsv(csv);
    expect(again[0]!.payload).toEqual(rows[0]!.payload);
    expect(again[0]!.values).toEqual(rows[0]!.values);
  });
});

describe('upload decoding', () => {
  const text = 'local_id,role\nE1,Zoë Ångström 研究\n';
  it('reads UTF-8 with and without a byte-order mark, and UTF-16 in both byte orders by their mark', () => {
    const utf8 = Buffer.from(text, 'utf8');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le.subarray(2)).swap16();
    expect(decodeUpload(utf8)).toBe(text);
    expect(decodeUpload(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]))).toBe(text);
    expect(decodeUpload(le)).toBe(text);
    expect(decodeUpload(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe(text);
  });

  it('refuses Latin-1 and UTF-16 without a mark instead of guessing', () => {
    expect(() => decodeUpload(Buffer.from(text, 'latin1'))).toThrow(/not UTF-8/);
    expect(() => decodeUpload(Buffer.from(text, 'utf16le'))).toThrow(/not UTF-8/);
  });

  it('refuses files over 50 MB with the limit in the message', () => {
    expect(() => decodeUpload(new Uint8Array(MAX_UPLOAD_BYTES + 1))).toThrow(/50\.0 MB; the limit is 50 MB/);
  });
});

describe('the documented example', () => {
  it('docs/examples/affiliations.csv is accepted', async () => {
    const { readFileSync } = await import('node:fs');
    const rows = parseAffiliationsCsv(decodeUpload(readFileSync('docs/examples/affiliations.csv')));
    expect(rows.map((r) => r.section)).toEqual(['employment', 'service', 'employment', 'education']);
  });
});
