// Where sealed values live, for key rotation. Every sealed column is listed here.
import { type Kysely, sql } from 'kysely';
import type { SealedColumn, SealedRow, SealedValueStore } from '../crypto/rotate.js';
import type { Database } from './schema.js';

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'tenants', column: 'client_secret_sealed' },
  { table: 'tenants', column: 'oidc_client_secret_sealed' },
  { table: 'orcid_links', column: 'token_sealed' },
];

export class SealedValuesRepository implements SealedValueStore {
  constructor(private readonly db: Kysely<Database>) {}

  columns(): readonly SealedColumn[] {
    return SEALED_COLUMNS;
  }

  async notSealedWith(
    column: SealedColumn,
    keyId: string,
    afterId: string | null,
    limit: number,
  ): Promise<SealedRow[]> {
    const { rows } = await sql<SealedRow>`
      select id::text as id, ${sql.ref(column.column)} as value from ${sql.table(column.table)}
      where ${sql.ref(column.column)} is not null
        and ${sql.ref(column.column)} not like ${`v1:${keyId}:%`}
        and (${afterId}::text is null or id::text > ${afterId})
      order by id::text limit ${limit}`.execute(this.db);
    return rows;
  }

  async replace(column: SealedColumn, id: string, expected: string, next: string): Promise<boolean> {
    const result = await sql`
      update ${sql.table(column.table)} set ${sql.ref(column.column)} = ${next}
      where id::text = ${id} and ${sql.ref(column.column)} = ${expected}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0) === 1;
  }
}
