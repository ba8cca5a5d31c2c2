import { describe, expect, it } from 'vitest';
import { canonicalContent, contentHash, type ItemState, nextAction, statusAfterUpsert } from './item.js';

const item = (over: Partial<ItemState> = {}): ItemState => ({
  desired_state: 'present',
  put_code: null,
  content_hash: 'h1',
  written_hash: null,
  status: 'queued',
  ...over,
});

describe('contentHash', () => {
  it('is the same for the same content in any key order, and differs for other content', () => {
    expect(contentHash({ a: 1, b: { c: [1, 2], d: null } })).toBe(
      contentHash({ b: { d: null, c: [1, 2] }, a: 1 }),
    );
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
    expect(contentHash({ a: [1, 2] })).not.toBe(contentHash({ a: [2, 1] }));
  });

  it('keeps the hashes already stored: the same text is hashed as before', () => {
    // Stored content hashes decide whether an item changed; a new hash for the same content
    // would rewrite every item on ORCID.
    const payload = {
      'role-title': 'Ré "q"',
      organization: { name: 'X', address: { city: 'A', country: 'NZ' }, 'disambiguated-organization': null },
      'start-date': { year: { value: '2020' } },
      list: [1, 'a', { z: 1, a: undefined }],
      e: [],
      o: {},
    };
    expect(contentHash(payload)).toBe('H9wNK1TsFnAGLdrn6rNIMtlJBnQZlYOZNpqNYHjDykE');
  });
});

describe('canonicalContent', () => {
  it('gives JSON that parses to the payload, leaving out undefined properties as JSON.stringify does', () => {
    const clean = { b: { d: null, c: [1, 'x'] }, a: 'é' };
    expect(JSON.parse(canonicalContent(clean).json)).toEqual(clean);
    const holey = { a: 1, b: undefined, c: { d: undefined } };
    expect(canonicalContent(holey).json).toBe('{"a":1,"c":{}}');
    expect(canonicalContent(holey).hash).toBe(contentHash(holey));
  });
});

describe('nextAction', () => {
  it('creates without a put code, updates only when the content changed, deletes what should be absent', () => {
    expect(nextAction(item())).toBe('create');
    expect(nextAction(item({ put_code: 5, written_hash: 'h1' }))).toBe('none');
    expect(nextAction(item({ put_code: 5, written_hash: 'h0' }))).toBe('update');
    expect(nextAction(item({ desired_state: 'absent', put_code: 5 }))).toBe('delete');
    expect(nextAction(item({ desired_state: 'absent' }))).toBe('none');
  });
  it('never touches an item the researcher deleted in ORCID', () => {
    expect(nextAction(item({ status: 'deleted_by_researcher', put_code: 5, written_hash: 'h0' }))).toBe(
      'none',
    );
  });
});

describe('statusAfterUpsert', () => {
  it('is pending without a connection, queued with one, unchanged content keeps its status', () => {
    expect(statusAfterUpsert(null, { content_hash: 'h1', desired_state: 'present' }, false)).toBe('pending');
    expect(statusAfterUpsert(null, { content_hash: 'h1', desired_state: 'present' }, true)).toBe('queued');
    const written = item({ put_code: 5, written_hash: 'h1', status: 'in_orcid' });
    expect(statusAfterUpsert(written, { content_hash: 'h1', desired_state: 'present' }, true)).toBe(
      'in_orcid',
    );
    expect(statusAfterUpsert(written, { content_hash: 'h2', desired_state: 'present' }, true)).toBe('queued');
    expect(statusAfterUpsert(written, { content_hash: 'h1', desired_state: 'absent' }, true)).toBe('queued');
  });
  it('a failed item stated again is tried again; a researcher deletion stays respected', () => {
    expect(
      statusAfterUpsert(item({ status: 'failed' }), { content_hash: 'h1', desired_state: 'present' }, true),
    ).toBe('queued');
    const gone = item({ status: 'deleted_by_researcher', put_code: 5, written_hash: 'h1' });
    expect(statusAfterUpsert(gone, { content_hash: 'h2', desired_state: 'present' }, true)).toBe(
      'deleted_by_researcher',
    );
  });
});
