// Member API writes (SPEC 6.6): create, update and delete of every section, and bulk works.

import { CodecError, type Json, type JsonObject } from '../../../lib/orcid-model/codec.js';
import { duplicateKeys, personItemValue } from '../../../lib/orcid-model/duplicates.js';
import { ORCID_ERROR } from '../../../lib/orcid-model/error-codes.js';
import { NS } from '../../../lib/orcid-model/orcid-model.js';
import { SECTION_BY_NAME, type SectionDef } from '../../../lib/orcid-model/sections.js';
import type { SandboxContext } from '../context.js';
import type { Item } from '../store/types.js';
import { type Caller, requireScope } from './api-auth.js';
import { checkItem } from './item-rules.js';
import { bodyFormat } from './negotiate.js';
import { OrcidApiError } from './orcid-errors.js';
import type { RecordView } from './record-view.js';

export interface ApiResult {
  status: number;
  doc?: { ns: string; element: string; json: JsonObject };
  headers?: Record<string, string>;
  /** A body outside the ORCID model (CSV search results). */
  raw?: { contentType: string; body: string };
}

const MAX_ITEMS_PER_SECTION = 10000;
const READ_ONLY_KEYS = [
  'put-code',
  'path',
  'source',
  'created-date',
  'last-modified-date',
  'visibility',
  'display-index',
];

/** Decodes a request body of either wire format into ORCID JSON, checked against the XSD. */
export function parseBody(
  ctx: SandboxContext,
  ns: string,
  element: string,
  contentType: string | undefined,
  body: string,
): JsonObject {
  const format = bodyFormat(contentType);
  if (format === null)
    throw new OrcidApiError(9001, {}, `Unsupported Content-Type: ${contentType ?? '(none)'}`, 415);
  const { validators } = ctx.model;
  const codec = ctx.model.codecFor(ns);
  let xml: string;
  let fromJson: JsonObject | null = null;
  if (format === 'json') {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (e) {
      throw new OrcidApiError(9047, {}, (e as Error).message);
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      throw new OrcidApiError(9047, {}, 'the body must be a JSON object');
    fromJson = json as JsonObject;
    try {
      xml = codec.toXml(ns, element, fromJson);
    } catch (e) {
      if (e instanceof CodecError) throw new OrcidApiError(9047, {}, e.message);
      throw e;
    }
  } else {
    xml = body;
  }
  const problems = validators.validate(xml);
  if (problems.length) throw new OrcidApiError(9001, {}, problems.slice(0, 5).join('; '));
  // Either way the item is kept in ORCID's normal JSON shape. JSON input was checked through its
  // XML form and is normalised directly, without parsing that XML back.
  if (fromJson) return codec.normalize(ns, element, fromJson);
  try {
    return codec.normalize(ns, element, codec.fromXml(xml, ns, element));
  } catch (e) {
    if (e instanceof CodecError) throw new OrcidApiError(9001, {}, e.message);
    throw e;
  }
}

/** The item as stored: what ORCID sets itself (put code, source, dates, visibility) is dropped. */
export function stripReadOnly(json: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(json)) if (!READ_ONLY_KEYS.includes(k)) out[k] = v;
  return out;
}

const isClientSource = (item: Item, clientId: string): boolean =>
  'clientId' in item.source && item.source.clientId === clientId;

function indexAdd(keys: Map<string, Set<number>>, section: SectionDef, item: Item): void {
  for (const k of duplicateKeys(section, item.data)) {
    const set = keys.get(k) ?? new Set<number>();
    set.add(item.putCode);
    keys.set(k, set);
  }
}

function indexRemove(keys: Map<string, Set<number>>, section: SectionDef, item: Item): void {
  for (const k of duplicateKeys(section, item.data)) keys.get(k)?.delete(item.putCode);
}

export class RecordWrites {
  constructor(
    private readonly ctx: SandboxContext,
    private readonly view: RecordView,
  ) {}

  private location(orcid: string, section: SectionDef, putCode: number): string {
    return `${this.ctx.urls.memberApi}/v3.0/${orcid}/${section.itemSegment}/${putCode}`;
  }

  /** 9021/9030: the same client already holds this item (SPEC 6.6 duplicates). */
  private findDuplicate(
    orcid: string,
    section: SectionDef,
    clientId: string,
    data: JsonObject,
    except?: number,
  ): Item | undefined {
    const index = this.duplicateIndex(orcid, section, clientId);
    for (const key of duplicateKeys(section, data)) {
      for (const putCode of index.get(key) ?? []) {
        if (putCode !== except) return this.ctx.store.items.get(putCode);
      }
    }
    return undefined;
  }

  /**
   * Duplicate keys of one client's items in one section of a record, kept up to date by this
   * class's own writes and rebuilt when anything else changed the record (researcher edits).
   */
  private readonly indexes = new Map<string, { version: number; keys: Map<string, Set<number>> }>();

  private duplicateIndex(orcid: string, section: SectionDef, clientId: string): Map<string, Set<number>> {
    const id = `${orcid} ${section.name} ${clientId}`;
    const version = this.ctx.store.version(orcid);
    let entry = this.indexes.get(id);
    if (!entry || entry.version !== version) {
      entry = { version, keys: new Map() };
      for (const item of this.ctx.store.itemsOf(orcid, section.name)) {
        if (isClientSource(item, clientId)) indexAdd(entry.keys, section, item);
      }
      this.indexes.set(id, entry);
    }
    return entry.keys;
  }

  /** Runs one of this client's writes and keeps its duplicate index current. */
  private indexed<T>(
    orcid: string,
    section: SectionDef,
    clientId: string,
    write: (keys: Map<string, Set<number>>) => T,
  ): T {
    const result = write(this.duplicateIndex(orcid, section, clientId));
    const entry = this.indexes.get(`${orcid} ${section.name} ${clientId}`);
    if (entry) entry.version = this.ctx.store.version(orcid);
    return result;
  }

  private duplicateError(section: SectionDef, dup: Item): OrcidApiError {
    if (section.kind === 'person')
      return new OrcidApiError(ORCID_ERROR.DUPLICATE_ELEMENT, {
        value: personItemValue(section, dup.data),
        type: section.element,
      });
    return new OrcidApiError(ORCID_ERROR.DUPLICATE_EXTERNAL_ID, { putCode: dup.putCode });
  }

  private checkPeerReviewGroup(section: SectionDef, data: JsonObject): void {
    if (section.name !== 'peer-review') return;
    const groupId = String(data['review-group-id'] ?? '');
    const exists = [...this.ctx.store.groups.values()].some((g) => g.groupId === groupId);
    if (exists) return;
    if (/^issn:\d{4}-?\d{3}[\dX]$/i.test(groupId)) {
      // ORCID creates issn: groups on first use (SPEC 6.7).
      const store = this.ctx.store;
      const putCode = store.nextPutCode++;
      store.groups.set(putCode, {
        putCode,
        name: groupId,
        groupId,
        description: groupId,
        type: 'journal',
        clientId: null,
      });
      return;
    }
    throw new OrcidApiError(9026, {}, `The given group id does not exist in our records: ${groupId}`);
  }

  /** Validates one incoming item and returns the data to store. */
  private prepare(
    caller: Caller,
    orcid: string,
    section: SectionDef,
    json: JsonObject,
    creating: boolean,
  ): JsonObject {
    if (creating && json['put-code'] !== undefined && json['put-code'] !== null)
      throw new OrcidApiError(9024);
    const data = stripReadOnly(json);
    checkItem(section, data);
    this.checkPeerReviewGroup(section, data);
    if (creating && this.ctx.store.countOf(orcid, section.name) >= MAX_ITEMS_PER_SECTION)
      throw new OrcidApiError(9048);
    const dup = this.findDuplicate(
      orcid,
      section,
      caller.client!.clientId,
      data,
      creating ? undefined : Number(json['put-code']),
    );
    if (dup) throw this.duplicateError(section, dup);
    return data;
  }

  create(
    caller: Caller,
    orcid: string,
    section: SectionDef,
    contentType: string | undefined,
    body: string,
  ): ApiResult {
    requireScope(caller, section.writeScope);
    const json = parseBody(this.ctx, section.ns, section.element, contentType, body);
    const data = this.prepare(caller, orcid, section, json, true);
    // The researcher's default visibility applies; a visibility sent by the client is ignored (SPEC 6.6).
    const clientId = caller.client!.clientId;
    const visibility = this.ctx.store.researchers.get(orcid)!.defaultVisibility;
    const item = this.indexed(orcid, section, clientId, (keys) => {
      const created = this.ctx.store.addItem(orcid, section.name, data, { clientId }, visibility);
      indexAdd(keys, section, created);
      return created;
    });
    return { status: 201, headers: { location: this.location(orcid, section, item.putCode) } };
  }

  private ownItem(caller: Caller, orcid: string, section: SectionDef, putCodeText: string): Item {
    if (!/^\d+$/.test(putCodeText)) throw new OrcidApiError(9034, { putCode: putCodeText });
    const item = this.ctx.store.items.get(Number(putCodeText));
    if (!item || item.orcid !== orcid || item.section !== section.name)
      throw new OrcidApiError(ORCID_ERROR.NOT_FOUND);
    if (!isClientSource(item, caller.client!.clientId))
      throw new OrcidApiError(9010, { activity: section.noun });
    return item;
  }

  update(
    caller: Caller,
    orcid: string,
    section: SectionDef,
    putCodeText: string,
    contentType: string | undefined,
    body: string,
  ): ApiResult {
    requireScope(caller, section.writeScope);
    if (!/^\d+$/.test(putCodeText)) throw new OrcidApiError(9034, { putCode: putCodeText });
    const json = parseBody(this.ctx, section.ns, section.element, contentType, body);
    const bodyPutCode = json['put-code'];
    if (String(bodyPutCode ?? 'null') !== putCodeText)
      throw new OrcidApiError(9019, { urlPutCode: putCodeText, bodyPutCode: String(bodyPutCode ?? 'null') });
    const item = this.ownItem(caller, orcid, section, putCodeText);
    if (json.visibility !== undefined && json.visibility !== null && json.visibility !== item.visibility)
      throw new OrcidApiError(9035);
    const data = this.prepare(caller, orcid, section, json, false);
    if (JSON.stringify(data) !== JSON.stringify(item.data)) {
      this.indexed(orcid, section, caller.client!.clientId, (keys) => {
        indexRemove(keys, section, item);
        this.ctx.store.updateItem(item, data);
        indexAdd(keys, section, item);
      });
    }
    return { status: 200, doc: { ns: section.ns, element: section.element, json: this.view.item(item) } };
  }

  remove(caller: Caller, orcid: string, section: SectionDef, putCodeText: string): ApiResult {
    requireScope(caller, section.writeScope);
    const item = this.ownItem(caller, orcid, section, putCodeText);
    this.indexed(orcid, section, caller.client!.clientId, (keys) => {
      indexRemove(keys, section, item);
      this.ctx.store.deleteItem(item);
    });
    return { status: 204 };
  }

  /** POST /works: up to 100 works; per-work errors come back inside the bulk list (SPEC 6.6). */
  bulkCreate(caller: Caller, orcid: string, contentType: string | undefined, body: string): ApiResult {
    const section = SECTION_BY_NAME.get('work')!;
    requireScope(caller, section.writeScope);
    const json = parseBody(this.ctx, NS('bulk'), 'bulk', contentType, body);
    const entries = Array.isArray(json.bulk) ? (json.bulk as JsonObject[]) : [];
    if (entries.length > 100)
      throw new OrcidApiError(9006, {}, 'You are allowed to add up to 100 elements per request.');
    const visibility = this.ctx.store.researchers.get(orcid)!.defaultVisibility;
    const results = entries.map((entry): Json => {
      const work = entry.work as JsonObject | undefined;
      if (!work) return { error: new OrcidApiError(9001, {}, 'bulk entries must be works').body };
      try {
        const data = this.prepare(caller, orcid, section, work, true);
        const clientId = caller.client!.clientId;
        const item = this.indexed(orcid, section, clientId, (keys) => {
          const created = this.ctx.store.addItem(orcid, 'work', data, { clientId }, visibility);
          indexAdd(keys, section, created);
          return created;
        });
        return { work: this.view.item(item) };
      } catch (e) {
        if (e instanceof OrcidApiError) return { error: e.body };
        throw e;
      }
    });
    return { status: 200, doc: { ns: NS('bulk'), element: 'bulk', json: { bulk: results } } };
  }
}
