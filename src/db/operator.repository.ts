// Operators of the installation granted with `lanyard operator grant` (LANYARD_OPERATORS names
// others in the configuration). A password is kept only for the demo's operator.
import type { Kysely, Selectable } from 'kysely';
import type { Database, OperatorsTable } from './schema.js';

export type Operator = Omit<Selectable<OperatorsTable>, 'password_hash'>;

export class OperatorRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async grant(email: string, grantedBy: string, passwordHash: string | null = null): Promise<void> {
    await this.db
      .insertInto('operators')
      .values({ email: email.toLowerCase(), granted_by: grantedBy, password_hash: passwordHash })
      .onConflict((oc) =>
        oc
          .column('email')
          .doUpdateSet(passwordHash ? { password_hash: passwordHash } : { granted_by: grantedBy }),
      )
      .execute();
  }

  async revoke(email: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('operators')
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  async isOperator(email: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('operators')
      .select('email')
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst();
    return row !== undefined;
  }

  list(): Promise<Operator[]> {
    return this.db
      .selectFrom('operators')
      .select(['email', 'granted_by', 'granted_at'])
      .orderBy('email')
      .execute();
  }

  async passwordHash(email: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('operators')
      .select('password_hash')
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst();
    return row?.password_hash ?? null;
  }
}
