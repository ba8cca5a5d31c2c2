// Builds the JSON documents of record reads: items, summaries, grouped sections, person,
// activities and the whole record, filtered by what the caller may see (SPEC 6.4, 6.5).

import type { Json, JsonObject } from '../../../lib/orcid-model/codec.js';
import { externalIdKey } from '../../../lib/orcid-model/duplicates.js';
import { NS } from '../../../lib/orcid-model/orcid-model.js';
import { SECTION_BY_NAME, SECTIONS, type SectionDef } from '../../../lib/orcid-model/sections.js';
import type { SandboxContext } from '../context.js';
import type { Item, ItemSource, Researcher } from '../store/types.js';

export interface Viewer {
  api: 'member' | 'public';
  clientId: string | null;
  /** Expanded scopes of the caller's token (empty for anonymous). */
  scopes: Set<string>;
}

/** The visibility rule of SPEC 6.5 for one item. */
export function canSee(viewer: Viewer, item: Item, section: SectionDef): boolean {
  if (item.visibility === 'public') return true;
  if (viewer.api === 'public') return false;
  if (viewer.clientId !== null && 'clientId' in item.source && item.source.clientId === viewer.clientId)
    return true;
  return item.visibility !== 'private' && viewer.scopes.has(section.readLimitedScope);
}

interface Cached {
  data: JsonObject;
  visibility: string;
  lastModified: number;
  item?: JsonObject;
  summary?: JsonObject;
}

export class RecordView {
  /** Item documents are rebuilt only when the item changes (new data, visibility or date). */
  private readonly cache = new WeakMap<Item, Cached>();

  constructor(private readonly ctx: SandboxContext) {}

  private cached(item: Item): Cached {
    let c = this.cache.get(item);
    if (
      !c ||
      c.data !== item.data ||
      c.visibility !== item.visibility ||
      c.lastModified !== item.lastModified
    ) {
      c = { data: item.data, visibility: item.visibility, lastModified: item.lastModified };
      this.cache.set(item, c);
    }
    return c;
  }

  private get codec() {
    return this.ctx.model.codec;
  }

  private orcidId(orcid: string): JsonObject {
    return { uri: this.ctx.urls.orcidUri(orcid), path: orcid, host: this.ctx.urls.host };
  }

  source(source: ItemSource): JsonObject {
    const { store, urls } = this.ctx;
    if ('clientId' in source) {
      const client = store.clients.get(source.clientId);
      return {
        'source-orcid': null,
        'source-client-id': { uri: urls.clientUri(source.clientId), path: source.clientId, host: urls.host },
        'source-name': { value: client?.name ?? source.clientId },
        'assertion-origin-orcid': null,
        'assertion-origin-client-id': null,
        'assertion-origin-name': null,
      };
    }
    const r = store.researchers.get(source.orcid);
    return {
      'source-orcid': this.orcidId(source.orcid),
      'source-client-id': null,
      'source-name': { value: r ? `${r.givenNames} ${r.familyNames}`.trim() : source.orcid },
      'assertion-origin-orcid': null,
      'assertion-origin-client-id': null,
      'assertion-origin-name': null,
    };
  }

  itemPath(item: Item, section: SectionDef): string {
    return `/${item.orcid}/${section.itemSegment}/${item.putCode}`;
  }

  /** The full item as GET /{section}/{put-code} returns it. */
  item(item: Item): JsonObject {
    const c = this.cached(item);
    c.item ??= this.buildItem(item);
    return c.item;
  }

  private buildItem(item: Item): JsonObject {
    const section = SECTION_BY_NAME.get(item.section)!;
    const raw: JsonObject = {
      ...item.data,
      'created-date': { value: item.createdAt },
      'last-modified-date': { value: item.lastModified },
      source: this.source(item.source),
      'put-code': item.putCode,
      path: this.itemPath(item, section),
      visibility: item.visibility,
      'display-index': section.kind === 'person' ? item.displayIndex : String(item.displayIndex),
    };
    return this.codec.normalize(section.ns, section.element, raw);
  }

  /** The summary of an activity, as lists and /summary/{put-code} return it. */
  summary(item: Item): JsonObject {
    const c = this.cached(item);
    c.summary ??= this.buildSummary(item);
    return c.summary;
  }

  private buildSummary(item: Item): JsonObject {
    const section = SECTION_BY_NAME.get(item.section)!;
    const full = { ...this.item(item) };
    if (section.name === 'peer-review') {
      full['external-ids'] = full['review-identifiers'] ?? null;
      full['completion-date'] = full['review-completion-date'] ?? null;
    }
    return this.codec.normalize(section.ns, section.summaryElement!, full);
  }

  visibleItems(viewer: Viewer, orcid: string, section: SectionDef): Item[] {
    return this.ctx.store
      .itemsOf(orcid, section.name)
      .filter((i) => canSee(viewer, i, section))
      .sort((a, b) => a.putCode - b.putCode);
  }

  private static lastModified(items: Item[]): Json {
    return items.length ? { value: Math.max(...items.map((i) => i.lastModified)) } : null;
  }

  /** The list document of a section: grouped activities or a person list. */
  section(viewer: Viewer, orcid: string, section: SectionDef): JsonObject {
    const items = this.visibleItems(viewer, orcid, section);
    const path = `/${orcid}/${section.listSegment}`;
    const lm = RecordView.lastModified(items);
    let doc: JsonObject;
    switch (section.grouping) {
      case 'person':
        doc = { 'last-modified-date': lm, [section.element]: items.map((i) => this.item(i)), path };
        break;
      case 'affiliations':
        doc = {
          'last-modified-date': lm,
          'affiliation-group': groupByExternalIds(items, section).map((g) => ({
            'last-modified-date': RecordView.lastModified(g.items),
            'external-ids': { 'external-id': g.externalIds },
            summaries: g.items.map((i) => ({ [section.summaryElement!]: this.summary(i) })),
          })),
          path,
        };
        break;
      case 'peer-reviews':
        doc = { 'last-modified-date': lm, group: this.peerReviewGroups(items), path };
        break;
      default:
        doc = {
          'last-modified-date': lm,
          group: groupByExternalIds(items, section).map((g) => ({
            'last-modified-date': RecordView.lastModified(g.items),
            'external-ids': { 'external-id': g.externalIds },
            [section.summaryElement!]: g.items.map((i) => this.summary(i)),
          })),
          path,
        };
    }
    return this.codec.normalize(section.listNs, section.listElement, doc);
  }

  private peerReviewGroups(items: Item[]): Json[] {
    const byGroup = new Map<string, Item[]>();
    for (const i of items) {
      const g = String(i.data['review-group-id'] ?? '');
      byGroup.set(g, [...(byGroup.get(g) ?? []), i]);
    }
    const section = SECTION_BY_NAME.get('peer-review')!;
    return [...byGroup].map(([groupId, members]) => ({
      'last-modified-date': RecordView.lastModified(members),
      'external-ids': {
        'external-id': [
          {
            'external-id-type': 'peer-review',
            'external-id-value': groupId,
            'external-id-relationship': null,
          },
        ],
      },
      'peer-review-group': groupByExternalIds(members, section).map((g) => ({
        'last-modified-date': RecordView.lastModified(g.items),
        'external-ids': { 'external-id': g.externalIds },
        'peer-review-summary': g.items.map((i) => this.summary(i)),
      })),
    }));
  }

  name(viewer: Viewer, r: Researcher): Json {
    if (viewer.api === 'public' && r.namesVisibility !== 'public') return null;
    return {
      'created-date': { value: r.createdAt },
      'last-modified-date': { value: r.lastModified },
      'given-names': { value: r.givenNames },
      'family-name': r.familyNames ? { value: r.familyNames } : null,
      'credit-name': r.creditName ? { value: r.creditName } : null,
      source: null,
      visibility: r.namesVisibility,
      path: r.orcid,
    };
  }

  biography(viewer: Viewer, r: Researcher): Json {
    if (!r.biography || (viewer.api === 'public' && r.namesVisibility !== 'public')) return null;
    return { content: r.biography, visibility: 'public', path: `/${r.orcid}/biography` };
  }

  emails(viewer: Viewer, r: Researcher): JsonObject {
    const visible =
      r.emailVisibility === 'public' ||
      viewer.scopes.has('/email/read-private') ||
      (viewer.api === 'member' &&
        r.emailVisibility === 'limited' &&
        viewer.scopes.has('/person/read-limited'));
    const email = visible
      ? [
          {
            'created-date': { value: r.createdAt },
            'last-modified-date': { value: r.lastModified },
            source: this.source({ orcid: r.orcid }),
            email: r.email,
            visibility: r.emailVisibility,
            verified: true,
            primary: true,
          },
        ]
      : [];
    return this.codec.normalize(NS('email'), 'emails', {
      'last-modified-date': visible ? { value: r.lastModified } : null,
      email,
      path: `/${r.orcid}/email`,
    });
  }

  personalDetails(viewer: Viewer, r: Researcher): JsonObject {
    const otherNames = this.section(viewer, r.orcid, SECTION_BY_NAME.get('other-names')!);
    return this.codec.normalize(NS('personal-details'), 'personal-details', {
      'last-modified-date': { value: r.lastModified },
      name: this.name(viewer, r),
      'other-names': otherNames,
      biography: this.biography(viewer, r),
      path: `/${r.orcid}/personal-details`,
    });
  }

  person(viewer: Viewer, r: Researcher): JsonObject {
    const s = (name: string) => this.section(viewer, r.orcid, SECTION_BY_NAME.get(name)!);
    return this.codec.normalize(NS('person'), 'person', {
      'last-modified-date': { value: r.lastModified },
      name: this.name(viewer, r),
      'other-names': s('other-names'),
      biography: this.biography(viewer, r),
      'researcher-urls': s('researcher-urls'),
      emails: this.emails(viewer, r),
      addresses: s('address'),
      keywords: s('keywords'),
      'external-identifiers': s('external-identifiers'),
      path: `/${r.orcid}/person`,
    });
  }

  activities(viewer: Viewer, r: Researcher): JsonObject {
    const doc: JsonObject = { 'last-modified-date': { value: r.lastModified } };
    for (const section of SECTIONS) {
      if (section.kind === 'activity') doc[section.listSegment] = this.section(viewer, r.orcid, section);
    }
    doc.path = `/${r.orcid}/activities`;
    return this.codec.normalize(NS('activities'), 'activities-summary', doc);
  }

  /** GET /{id}/summary on the member API: counts and affiliations at a glance (summary_3.0). */
  recordSummary(viewer: Viewer, r: Researcher): JsonObject {
    const visible = (name: string) => this.visibleItems(viewer, r.orcid, SECTION_BY_NAME.get(name)!);
    const validated = (i: Item) => 'clientId' in i.source;
    const str = (v: Json | undefined): string | null =>
      v === null || v === undefined
        ? null
        : typeof v === 'object' && !Array.isArray(v)
          ? str(v.value)
          : String(v);
    const affiliation = (i: Item) => {
      const org = (i.data.organization ?? {}) as JsonObject;
      return {
        'put-code': i.putCode,
        type: i.section,
        'organization-name': str(org.name),
        // The summary XSD requires a non-empty role; affiliations without a role title fall back
        // to the department, then to the affiliation type.
        role: str(i.data['role-title']) ?? str(i.data['department-name']) ?? i.section,
        url: str(i.data.url),
        'start-date': i.data['start-date'] ?? null,
        'end-date': i.data['end-date'] ?? null,
        validated: validated(i),
      };
    };
    const affiliations = (names: string[], element: string) => {
      const items = names.flatMap(visible);
      return items.length ? { count: items.length, [element]: items.map(affiliation) } : null;
    };
    const counts = (name: string) => {
      const items = visible(name);
      return items.length
        ? {
            'self-asserted-count': items.filter((i) => !validated(i)).length,
            'validated-count': items.filter(validated).length,
          }
        : null;
    };
    const reviews = visible('peer-review');
    const externalIds = visible('external-identifiers');
    return this.codec.normalize(NS('summary'), 'record-summary', {
      'created-date': r.createdAt,
      'last-modified-date': r.lastModified,
      'credit-name': this.ctx.store.publicName(r),
      'orcid-identifier': this.orcidId(r.orcid),
      'external-identifiers': externalIds.length
        ? {
            'external-identifier': externalIds.map((i) => ({
              'put-code': i.putCode,
              'external-id-type': str(i.data['external-id-type']),
              'external-id-value': str(i.data['external-id-value']),
              'external-id-url': str(i.data['external-id-url']),
              validated: validated(i),
            })),
          }
        : null,
      employments: affiliations(['employment'], 'employment'),
      'professional-activities': affiliations(
        ['distinction', 'invited-position', 'membership', 'service'],
        'professional-activity',
      ),
      fundings: counts('funding'),
      works: counts('work'),
      'peer-reviews': reviews.length
        ? {
            'peer-review-publication-grants': new Set(reviews.map((i) => String(i.data['review-group-id'])))
              .size,
            'self-asserted-count': reviews.filter((i) => !validated(i)).length,
            total: reviews.length,
          }
        : null,
      'education-qualifications': affiliations(['education', 'qualification'], 'education-qualification'),
      'research-resources': counts('research-resource'),
    });
  }

  record(viewer: Viewer, r: Researcher): JsonObject {
    return this.codec.normalize(NS('record'), 'record', {
      'orcid-identifier': this.orcidId(r.orcid),
      preferences: { locale: r.locale },
      history: {
        'creation-method': 'DIRECT',
        'completion-date': null,
        'submission-date': { value: r.createdAt },
        'last-modified-date': { value: r.lastModified },
        claimed: true,
        source: null,
        'deactivation-date': null,
        'verified-email': true,
        'verified-primary-email': true,
      },
      person: this.person(viewer, r),
      'activities-summary': this.activities(viewer, r),
      path: `/${r.orcid}`,
    });
  }
}

export interface Group {
  items: Item[];
  externalIds: Json[];
}

/** Groups activities sharing a `self` or `version-of` external id, from any source (SPEC 6.4). */
export function groupByExternalIds(items: Item[], section: SectionDef): Group[] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const owner = new Map<string, number>();
  items.forEach((item, i) => {
    for (const id of groupingIds(item, section)) {
      const key = externalIdKey(id);
      const j = owner.get(key);
      if (j === undefined) owner.set(key, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, Group>();
  items.forEach((item, i) => {
    const root = find(i);
    const g = groups.get(root) ?? { items: [], externalIds: [] };
    g.items.push(item);
    for (const id of groupingIds(item, section)) {
      if (!g.externalIds.some((e) => externalIdKey(e as JsonObject) === externalIdKey(id)))
        g.externalIds.push(id);
    }
    groups.set(root, g);
  });
  return [...groups.values()];
}

function groupingIds(item: Item, section: SectionDef): JsonObject[] {
  const ids = section.externalIdsPath?.(item.data);
  if (!Array.isArray(ids)) return [];
  return (ids as JsonObject[]).filter((id) => {
    const rel = id['external-id-relationship'];
    return rel === 'self' || rel === 'version-of' || rel === null || rel === undefined;
  });
}
