import { beforeAll, describe, expect, it } from 'vitest';
import { checkItemPayload, loadPayloadChecks } from '../orcid/payload-check.js';
import { parseItemsJson } from './items-json.js';
import { UploadRefused } from './upload-file.js';

beforeAll(() => loadPayloadChecks());

const work = { title: { title: { value: 'On computable numbers' } }, type: 'journal-article' };

function problems(text: string) {
  try {
    parseItemsJson(text, (s, p) => checkItemPayload(s, p));
  } catch (e) {
    if (e instanceof UploadRefused) return e.problems;
    throw e;
  }
  throw new Error('accepted');
}

describe('items JSON upload', () => {
  it('accepts works, funding and peer reviews as ORCID JSON, in {"items"} or as a list', () => {
    const items = [
      { localId: 'E1', sourceKey: 'w1', section: 'work', payload: work },
      { localId: 'E1', sourceKey: 'w1-old', section: 'work', action: 'delete', payload: {} },
    ];
    const parsed = parseItemsJson(JSON.stringify({ items }), (s, p) => checkItemPayload(s, p));
    expect(parsed.map((p) => [p.row, p.item.sourceKey, p.item.action])).toEqual([
      [1, 'w1', 'present'],
      [2, 'w1-old', 'delete'],
    ]);
    expect(parseItemsJson(JSON.stringify(items), (s, p) => checkItemPayload(s, p))).toHaveLength(2);
  });

  it('refuses text that is not JSON, and a document without items', () => {
    expect(problems('{"items": [}')).toEqual([
      expect.objectContaining({
        row: null,
        message: expect.stringMatching(/^The file is not JSON: Unexpected token/),
      }),
    ]);
    expect(problems('{"rows": []}')[0]!.column).toBe('items');
  });

  it('names the item and the field: missing fields, unknown sections, ORCID schema errors, duplicates', () => {
    const p = problems(
      JSON.stringify({
        items: [
          { localId: 'E1', section: 'work', payload: work },
          { localId: 'E1', sourceKey: 'x', section: 'employment', payload: {} },
          { localId: 'E1', sourceKey: 'w2', section: 'work', payload: { ...work, colour: 'red' } },
          {
            localId: 'E1',
            sourceKey: 'w3',
            section: 'work',
            payload: { ...work, 'publication-date': { year: { value: '2020' }, month: { value: '13' } } },
          },
          { localId: 'E1', sourceKey: 'w3', section: 'work', payload: work },
          { localId: 'E1', sourceKey: 'pr1', section: 'peer-review', payload: {} },
        ],
      }),
    );
    expect(p.map((x) => [x.row, x.column])).toEqual([
      [1, 'items[0].sourceKey'],
      [2, 'items[1].section'],
      [3, 'items[2].payload'],
      [4, 'items[3].payload'],
      [5, 'items[4].sourceKey'],
      [6, 'items[5].groupId'],
    ]);
    expect(p[2]!.message).toContain('colour');
    expect(p[3]!.message).toMatch(/month.*13/);
  });
});

describe('the documented example', () => {
  it('docs/examples/works.json is accepted', async () => {
    const { readFileSync } = await import('node:fs');
    const parsed = parseItemsJson(readFileSync('docs/examples/works.json', 'utf8'), (s, p) =>
      checkItemPayload(s, p),
    );
    expect(parsed.map((p) => p.item.section)).toEqual(['work', 'peer-review']);
  });
});
