// What the data export reads: the organisation's links with their people, tokens (opened only
// when asked for) and items, in a stable order, never the whole set in memory.
// CSV comes from one COPY in PostgreSQL's binary format: PostgreSQL formats and escapes every
// cell as it reads, and the bytes go from the connection to the download without a string or an
// object per row (query results of millions of rows, a row object each, fill the old generation
// however small the batches). Only the tokens, sealed, are opened and placed here.
import type { Kysely } from 'kysely';
import { to as copyTo } from 'pg-copy-streams';
import type { KeyRing } from '../crypto/key-ring.js';
import { open } from '../crypto/seal.js';
import { csvCell } from '../domain/csv-cell.js';
import type { TokenResponse } from '../orcid/oauth.js';
import { CopyBinaryReader } from './copy-binary.js';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/** About this many bytes are written at a time. */
const PIECE_BYTES = 64 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COMMA = Buffer.from(',');
const NEWLINE = Buffer.from('\n');
/** The item cells of a link whose person has no items (six empty cells after the separator). */
const NO_ITEM = Buffer.from(',,,,,');

const tokenContext = (id: string) => ({ table: 'orcid_links', column: 'token_sealed', row: id });

const iso = (column: string) =>
  `coalesce(to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '')`;

/**
 * A tuple per link: its id, its sealed token (when asked for), its CSV cells, and its person's
 * items' CSV cells joined by NUL bytes (text never holds one), in source-key order. COPY takes
 * no parameters: the tenant id is checked to be a UUID before it is written into the statement.
 */
const csvCopy = (tenantId: string, withTokens: boolean) => {
  if (!UUID.test(tenantId)) throw new Error(`not a tenant id: ${tenantId}`);
  return `copy (
    select l.id::text, ${withTokens ? 'l.token_sealed' : 'null'},
      concat_ws(',', l.orcid, lanyard_csv_cell(p.given_names), lanyard_csv_cell(p.family_name),
        lanyard_csv_cell(p.local_id), l.status, l.scope, ${iso('l.expires_at')}, ${iso('l.granted_at')},
        ${iso('l.revoked_at')}),
      (select string_agg(convert_to(concat_ws(',', i.section, lanyard_csv_cell(i.source_key),
          coalesce(i.put_code::text, ''), coalesce(i.put_code_orcid, ''), lanyard_csv_cell(i.group_id), i.status),
          'UTF8'), '\\x00'::bytea order by i.source_key)
        from items i where i.tenant_id = l.tenant_id and i.person_id = l.person_id)
    from orcid_links l
    join people p on p.tenant_id = l.tenant_id and p.id = l.person_id
    where l.tenant_id = '${tenantId}'
    order by l.id
  ) to stdout (format binary)`;
};

/** Bytes gathered into pieces of about PIECE_BYTES, each handed out once it is full. */
class Pieces {
  private buf = Buffer.allocUnsafe(PIECE_BYTES);
  private at = 0;
  private full: Buffer[] = [];

  bytes(b: Buffer): void {
    this.room(b.length);
    this.at += b.copy(this.buf, this.at);
  }

  text(s: string): void {
    const n = Buffer.byteLength(s);
    this.room(n);
    this.at += this.buf.write(s, this.at);
  }

  /** The pieces filled so far. */
  take(): Buffer[] {
    const full = this.full;
    this.full = [];
    return full;
  }

  /** What is left once the input ended. */
  rest(): Buffer | null {
    return this.at ? this.buf.subarray(0, this.at) : null;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    if (this.at) this.full.push(this.buf.subarray(0, this.at));
    this.buf = Buffer.allocUnsafe(Math.max(PIECE_BYTES, n));
    this.at = 0;
  }
}

export class LinksExportRepository {
  private readonly db: Kysely<Database>;

  constructor(
    private readonly database: Db,
    private readonly ring: KeyRing,
  ) {
    this.db = database.db;
  }

  private openToken(linkId: string, sealed: string | null): TokenResponse | null {
    return sealed ? (JSON.parse(open(this.ring, sealed, tokenContext(linkId))) as TokenResponse) : null;
  }

  /**
   * The export's CSV lines (no header), in pieces of about 64 KB: a line per item of the link's
   * person, or one with empty item cells, with the tokens after the link's cells when asked for.
   * Read at the pace the pieces are taken: the connection is not read further meanwhile.
   */
  async *csvPieces(tenantId: string, withTokens: boolean): AsyncGenerator<Buffer> {
    const pieces = new Pieces();
    const line = (head: Buffer, tokens: string | null, item: Buffer) => {
      pieces.bytes(head);
      if (tokens) pieces.text(tokens);
      pieces.bytes(COMMA);
      pieces.bytes(item);
      pieces.bytes(NEWLINE);
    };
    const reader = new CopyBinaryReader(([id, sealed, head, items]) => {
      let tokens: string | null = null;
      if (withTokens) {
        const token = this.openToken(id!.toString('latin1'), sealed ? sealed.toString('latin1') : null);
        tokens = `,${csvCell(token?.access_token)},${csvCell(token?.refresh_token)}`;
      }
      if (!items) return line(head!, tokens, NO_ITEM);
      for (let from = 0; ; ) {
        const end = items.indexOf(0, from);
        line(head!, tokens, items.subarray(from, end === -1 ? items.length : end));
        if (end === -1) return;
        from = end + 1;
      }
    });
    const client = await this.database.pool.connect();
    try {
      for await (const chunk of client.query(copyTo(csvCopy(tenantId, withTokens)))) {
        reader.push(chunk as Buffer);
        yield* pieces.take();
      }
      const rest = pieces.rest();
      if (rest) yield rest;
    } finally {
      // A COPY stopped half-way (the download was abandoned) leaves the connection mid-protocol:
      // it is closed rather than given back to the pool.
      client.release(reader.complete ? undefined : true);
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
