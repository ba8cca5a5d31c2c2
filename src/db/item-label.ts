// What a person sees as an item's name (a work's title, an affiliation's role or organisation, a
// keyword, ...), from its ORCID JSON payload: SQL over an `items` row aliased `i`.
export const ITEM_LABEL_SQL = `coalesce(i.payload #>> '{title,title,value}', i.payload ->> 'role-title',
  i.payload #>> '{organization,name}', i.payload ->> 'content',
  i.payload ->> 'url-name', i.payload #>> '{country,value}', i.source_key)`;
