import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from './codec.js';
import { loadXsdValidation, NS, sharedModel } from './orcid-model.js';

beforeAll(() => loadXsdValidation());

const model = sharedModel();
const samples = join(model.dir, 'record_3.0/samples');
const read = (dir: string, f: string) => readFileSync(join(samples, dir, f), 'utf8');

/** Root element and namespace of an XML document. */
function rootOf(xml: string): { ns: string; name: string } {
  const m = /<([\w-]+):([\w-]+)[\s>]/.exec(xml.replace(/<\?xml[^>]*>/, ''))!;
  const ns = new RegExp(`xmlns:${m[1]}="([^"]+)"`).exec(xml)![1]!;
  return { ns, name: m[2]! };
}

// The element each JSON write sample is a body for.
function jsonRoot(file: string): { ns: string; name: string } {
  if (file.startsWith('bulk')) return { ns: NS('bulk'), name: 'bulk' };
  const table: Array<[RegExp, string, string]> = [
    [/^keywords/, 'keyword', 'keyword'],
    [/^other-names/, 'other-name', 'other-name'],
    [/^external-identifier/, 'external-identifier', 'external-identifier'],
    [/^researcher-url/, 'researcher-url', 'researcher-url'],
    [/^address/, 'address', 'address'],
    [/^work/, 'work', 'work'],
    [/^funding/, 'funding', 'funding'],
    [/^peer-review/, 'peer-review', 'peer-review'],
    [/^research-resource/, 'research-resource', 'research-resource'],
    [/^(distinction|education|employment|invited-position|membership|qualification|service)/, '', ''],
  ];
  for (const [re, ns, name] of table) {
    const m = re.exec(file);
    if (m) return { ns: NS(ns || m[1]!), name: name || m[1]! };
  }
  throw new Error(`no element for ${file}`);
}

describe('ORCID codec: XML write samples', () => {
  const files = readdirSync(join(samples, 'write_samples')).filter((f) => f.endsWith('.xml'));
  it.each(files)('%s is valid, decodes to JSON and encodes back to valid XML', (file) => {
    const xml = read('write_samples', file);
    expect(model.validators.validate(xml)).toEqual([]);
    const { ns, name } = rootOf(xml);
    const json = model.codec.fromXml(xml, ns, name);
    expect(Object.keys(json).length).toBeGreaterThan(0);
    const again = model.codec.toXml(ns, name, json);
    expect(model.validators.validate(again)).toEqual([]);
    // A second round trip is stable: nothing is lost or invented.
    expect(model.codec.fromXml(again, ns, name)).toEqual(json);
  });
});

describe('ORCID codec: JSON write samples', () => {
  const files = readdirSync(join(samples, 'write_samples')).filter(
    (f) => f.endsWith('.json') && f !== 'peer-review-group-id.json',
  );
  it.each(files)('%s encodes to XML that the XSD accepts', (file) => {
    const json = JSON.parse(read('write_samples', file)) as JsonObject;
    const { ns, name } = jsonRoot(file);
    const xml = model.codec.toXml(ns, name, json);
    expect(model.validators.validate(xml)).toEqual([]);
  });

  it('the group-id record body encodes to a valid group-id-record', () => {
    const json = JSON.parse(read('write_samples', 'peer-review-group-id.json')) as JsonObject;
    const xml = model.groupIdCodec.toXml(NS('group-id'), 'group-id-record', json);
    expect(model.validators.validate(xml)).toEqual([]);
  });
});

describe('ORCID codec: read samples', () => {
  const files = readdirSync(join(samples, 'read_samples')).filter(
    (f) => f.endsWith('.xml') && f !== 'bulk-work-err.xml',
  );
  // ORCID's own sample breaks the XSD in a way a faithful codec keeps.
  const invalidSamples: Record<string, RegExp> = { 'work-3.0.xml': /journal-title.*pattern/ };
  it.each(files)('%s round-trips through JSON to valid XML', (file) => {
    const xml = read('read_samples', file);
    const { ns, name } = rootOf(xml);
    const json = model.codec.fromXml(xml, ns, name);
    const again = model.codec.toXml(ns, name, json);
    const known = invalidSamples[file];
    if (known) expect(model.validators.validate(again).join('\n')).toMatch(known);
    else expect(model.validators.validate(again)).toEqual([]);
    expect(model.codec.fromXml(again, ns, name)).toEqual(json);
  });

  it('record-full-3.0.json (ORCID JSON of a whole record) encodes to a valid record and back to the same JSON', () => {
    const json = JSON.parse(read('read_samples', 'record-full-3.0.json')) as JsonObject;
    const xml = model.codec.toXml(NS('record'), 'record', json);
    expect(model.validators.validate(xml)).toEqual([]);
    const back = model.codec.fromXml(xml, NS('record'), 'record');
    expect(model.codec.normalize(NS('record'), 'record', back)).toEqual(
      model.codec.normalize(NS('record'), 'record', json),
    );
  });
});

describe('ORCID JSON conventions', () => {
  it('wraps simple content as {"value"}, keeps simple types bare, dates as epoch ms, fuzzy dates as strings', () => {
    const json = model.codec.fromXml(read('read_samples', 'work-3.0.xml'), NS('work'), 'work');
    const n = model.codec.normalize(NS('work'), 'work', json);
    expect(n['created-date']).toEqual({ value: expect.any(Number) });
    expect(typeof n.type).toBe('string');
    expect((n.title as JsonObject).title).toEqual({ value: expect.any(String) });
    const date = n['publication-date'] as JsonObject;
    if (date) expect(typeof (date.year as JsonObject).value).toBe('string');
    expect(typeof n['put-code']).toBe('number');
  });

  it('fills absent single fields with null and absent lists with [] (as Jackson does)', () => {
    const n = model.codec.normalize(NS('work'), 'work', {
      title: { title: { value: 't' } },
      type: 'book',
      'external-ids': { 'external-id': [] },
    });
    expect(n.subtitle).toBeUndefined();
    expect(n['journal-title']).toBeNull();
    expect(n.citation).toBeNull();
    expect((n['external-ids'] as JsonObject)['external-id']).toEqual([]);
  });

  it('refuses unknown JSON properties with the path of the offending key', () => {
    expect(() =>
      model.codec.toXml(NS('work'), 'work', { title: { title: { value: 't' } }, colour: 'red' }),
    ).toThrow(/work: unknown property "colour"/);
  });

  it('escapes markup in values', () => {
    const xml = model.codec.toXml(NS('keyword'), 'keyword', { content: '<script>&"' });
    expect(xml).toContain('&lt;script&gt;&amp;&quot;');
    expect(model.validators.validate(xml)).toEqual([]);
  });
});
