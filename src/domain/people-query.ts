// What the console asks of an organisation's people list: the search, filters, sort and page
// (by key: the sort key and id of the row the page follows or precedes), and the rows it shows.
import type { ItemStatus } from './item.js';

export const PEOPLE_SORTS = ['name', 'local_id', 'added'] as const;
export type PeopleSort = (typeof PEOPLE_SORTS)[number];
export const LINK_FILTERS = ['active', 'revoked', 'expired', 'deprecated', 'never'] as const;
export type LinkFilter = (typeof LINK_FILTERS)[number];

/** Where a page starts: the sort key and id of the row before it (or after it, going back). */
export interface PageKey {
  key: string;
  id: string;
}

export interface PeopleQuery {
  /** Any part of a name, local id or email; or an ORCID iD (the whole iD). */
  text?: string | undefined;
  link?: LinkFilter | undefined;
  item?: ItemStatus | undefined;
  invited?: boolean | undefined;
  sort: PeopleSort;
  descending: boolean;
  after?: PageKey | undefined;
  before?: PageKey | undefined;
  limit: number;
}

export interface PersonListRow {
  id: string;
  local_id: string;
  given_names: string | null;
  family_name: string | null;
  email: string | null;
  created_at: Date;
  orcid: string | null;
  link_status: 'active' | 'revoked' | 'expired' | 'deprecated' | null;
  items: number;
  needs_attention: number;
  invited: boolean;
  sort_key: string;
}

export interface PeoplePage {
  rows: PersonListRow[];
  /** Keys of the first and last row, when a page lies before or after this one. */
  previous: PageKey | null;
  next: PageKey | null;
}

/** Statuses that ask something of an administrator (items_attention, migration 0022). */
export const ATTENTION_STATUSES: readonly ItemStatus[] = [
  'failed',
  'invalid',
  'record_unavailable',
  'deleted_by_researcher',
  'revoked',
  'retrying',
];

const ORCID_ID = /^(?:https?:\/\/(?:sandbox\.)?orcid\.org\/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$/i;

/** The iD a search names, if it is one (with or without the registry's address). */
export const orcidIdIn = (text: string): string | null =>
  ORCID_ID.exec(text.trim())?.[1]?.toUpperCase() ?? null;
