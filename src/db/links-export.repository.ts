// What the data export reads: the organisation's links with their people, tokens (opened only
// when asked for) and items, in a stable order, a batch at a time (never the whole set in memory).
// CSV is formatted by PostgreSQL as it reads (the lines' text, escaped): the export's time goes
// to writing, not to objects per item; only the tokens, sealed, are opened and placed here.
import { type Kysely, sql } from 'kysely';
import type { KeyRing } from '../crypto/key-ring.js';
import { open } from '../crypto/seal.js';
import { csvCell } from '../domain/csv-cell.js';
import type { TokenResponse } from '../orcid/oauth.js';
import type { Database } from './schema.js';

/** About this much text is written at a time. */
const PIECE_CHARS = 64 * 1024;

const tokenContext = (id: string) => ({ table: 'orcid_links', column: 'token_sealed', row: id });

const ISO = (column: string) =>
  sql.raw(`coalesce(to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '')`);

export class LinksExportRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ring: KeyRing,
  ) {}

  private openToken(linkId: string, sealed: string | null): TokenResponse | null {
    return sealed ? (JSON.parse(open(this.ring, sealed, tokenContext(linkId))) as TokenResponse) : null;
  }

  /**
   * The export's CSV lines (no header), a block per batch of links: a line per item of the
   * link's person, or one with empty item cells. The next batch is read while this one is written.
   */
  async *csvBlocks(tenantId: string, withTokens: boolean, batch = 2000): AsyncGenerator<string> {
    const read = (after: string | null) =>
      sql<{ id: string; token_sealed: string | null; link: string; items: string[] | null }>`
        select l.id, ${withTokens ? sql`l.token_sealed` : sql`null`} as token_sealed,
          concat_ws(',', l.orcid, lanyard_csv_cell(p.given_names), lanyard_csv_cell(p.family_name),
            lanyard_csv_cell(p.local_id), l.status, l.scope, ${ISO('l.expires_at')}, ${ISO('l.granted_at')},
            ${ISO('l.revoked_at')}) as link,
          (select json_agg(concat_ws(',', i.section, lanyard_csv_cell(i.source_key), coalesce(i.put_code::text, ''),
              coalesce(i.put_code_orcid, ''), lanyard_csv_cell(i.group_id), i.status) order by i.source_key)
            from items i where i.tenant_id = l.tenant_id and i.person_id = l.person_id) as items
        from orcid_links l
        join people p on p.tenant_id = l.tenant_id and p.id = l.person_id
        where l.tenant_id = ${tenantId} ${after ? sql`and l.id > ${after}::uuid` : sql``}
        order by l.id limit ${batch}`.execute(this.db);
    let next = read(null);
    for (;;) {
      const { rows } = await next;
      if (!rows.length) return;
      const last = rows.at(-1)!.id;
      if (rows.length === batch) next = read(last);
      let out = '';
      for (const r of rows) {
        let head = r.link;
        if (withTokens) {
          const token = this.openToken(r.id, r.token_sealed);
          head += `,${csvCell(token?.access_token)},${csvCell(token?.refresh_token)}`;
        }
        if (r.items) for (const item of r.items) out += `${head},${item}\n`;
        else out += `${head},,,,,,\n`;
        // Small pieces: the lines die young instead of growing the heap.
        if (out.length >= PIECE_CHARS) {
          yield out;
          out = '';
        }
      }
      if (out) yield out;
      if (rows.length < batch) return;
    }
  }

  /**
   * The organisation's links for an export, a batch at a time in a stable order, each with its
   * person, its token (opened only when asked for) and the person's items: what the data export
   * and `lanyard export-links` write. Never the whole set in memory.
   */
  async *jsonBatches(tenantId: string, withTokens: boolean, batch = 1000): AsyncGenerator<ExportedLink[]> {
    let after: string | null = null;
    for (;;) {
      let q = this.db
        .selectFrom('orcid_links as l')
        .innerJoin('people as p', (j) =>
          j.onRef('p.id', '=', 'l.person_id').onRef('p.tenant_id', '=', 'l.tenant_id'),
        )
        .select([
          'l.id',
          'l.person_id',
          'l.orcid',
          'l.status',
          'l.scope',
          'l.expires_at',
          'l.granted_at',
          'l.revoked_at',
          'l.token_sealed',
          'p.local_id',
          'p.given_names',
          'p.family_name',
        ])
        .where('l.tenant_id', '=', tenantId)
        .orderBy('l.id')
        .limit(batch);
      if (after) q = q.where('l.id', '>', after);
      const links = await q.execute();
      if (!links.length) return;
      const items = await this.db
        .selectFrom('items')
        .select(['person_id', 'section', 'source_key', 'put_code', 'put_code_orcid', 'group_id', 'status'])
        .where('tenant_id', '=', tenantId)
        .where('person_id', 'in', [...new Set(links.map((l) => l.person_id))])
        .orderBy('person_id')
        .orderBy('source_key')
        .execute();
      const byPerson = new Map<string, ExportedItem[]>();
      for (const { person_id, ...item } of items) {
        const list = byPerson.get(person_id) ?? [];
        list.push(item);
        byPerson.set(person_id, list);
      }
      yield links.map(({ token_sealed, ...l }) => {
        const token = withTokens && token_sealed ? this.openToken(l.id, token_sealed) : null;
        return {
          ...l,
          access_token: token?.access_token ?? null,
          refresh_token: token?.refresh_token ?? null,
          items: byPerson.get(l.person_id) ?? [],
        };
      });
      after = links.at(-1)!.id;
      if (links.length < batch) return;
    }
  }
}

export interface ExportedItem {
  section: string;
  source_key: string;
  put_code: string | null;
  put_code_orcid: string | null;
  group_id: string | null;
  status: string;
}

export interface ExportedLink {
  id: string;
  person_id: string;
  orcid: string;
  status: string;
  scope: string;
  expires_at: Date;
  granted_at: Date;
  revoked_at: Date | null;
  local_id: string;
  given_names: string | null;
  family_name: string | null;
  /** In clear, only when the export asked for tokens (null otherwise, and once revoked at ORCID). */
  access_token: string | null;
  refresh_token: string | null;
  items: ExportedItem[];
}
