// Invitations of an organisation's administrators by mail. The link's token is looked up by its
// SHA-256 only; the token itself is sealed until the mail is sent, then forgotten. Accepting is
// one conditional update, so a link opened twice at once is accepted once.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { KeyRing } from '../crypto/key-ring.js';
import { open, seal } from '../crypto/seal.js';
import type { AdminInvitationsTable, Database } from './schema.js';

export type AdminInvitation = Omit<Selectable<AdminInvitationsTable>, 'token_hash' | 'token_sealed'>;

const tokenHash = (token: string) => createHash('sha256').update(token).digest();
const tokenContext = (id: string) => ({ table: 'admin_invitations', column: 'token_sealed', row: id });
const PUBLIC_COLUMNS = [
  'id',
  'tenant_id',
  'email',
  'invited_by',
  'created_at',
  'expires_at',
  'sent_at',
  'last_error',
  'accepted_at',
] as const;

export class AdminInvitationRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ring: KeyRing,
  ) {}

  async create(
    tenantId: string,
    email: string,
    invitedBy: string,
    expiresAt: Date,
  ): Promise<AdminInvitation> {
    const id = randomUUID();
    const token = randomBytes(32).toString('base64url');
    return this.db
      .insertInto('admin_invitations')
      .values({
        id,
        tenant_id: tenantId,
        email: email.toLowerCase(),
        token_hash: tokenHash(token),
        token_sealed: seal(this.ring, token, tokenContext(id)),
        invited_by: invitedBy,
        expires_at: expiresAt,
      })
      .returning(PUBLIC_COLUMNS)
      .executeTakeFirstOrThrow();
  }

  /** The invitation and its token, while its mail is still to send. */
  async toSend(id: string): Promise<{ invitation: AdminInvitation; token: string } | null> {
    const row = await this.db
      .selectFrom('admin_invitations')
      .select([...PUBLIC_COLUMNS, 'token_sealed'])
      .where('id', '=', id)
      .where('sent_at', 'is', null)
      .executeTakeFirst();
    if (!row?.token_sealed) return null;
    const { token_sealed, ...invitation } = row;
    return { invitation, token: open(this.ring, token_sealed, tokenContext(id)) };
  }

  /** Sent: the token is no longer kept (only its hash); or why sending failed. */
  async markSent(id: string, error: string | null): Promise<void> {
    await this.db
      .updateTable('admin_invitations')
      .set(error ? { last_error: error } : { sent_at: new Date(), last_error: null, token_sealed: '' })
      .where('id', '=', id)
      .execute();
  }

  /** The organisation's invitation a link names, whatever its state (null: no such link there). */
  byToken(tenantId: string, token: string): Promise<AdminInvitation | undefined> {
    return this.db
      .selectFrom('admin_invitations')
      .select(PUBLIC_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('token_hash', '=', tokenHash(token))
      .executeTakeFirst();
  }

  /** Marks the invitation accepted if it still can be; false when it was used or expired meanwhile. */
  async accept(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('admin_invitations')
      .set({ accepted_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('expires_at', '>', new Date())
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  list(tenantId: string, limit = 20): Promise<AdminInvitation[]> {
    return this.db
      .selectFrom('admin_invitations')
      .select(PUBLIC_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }
}
