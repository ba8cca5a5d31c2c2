// Person <-> ORCID iD links. The token response is sealed (AAD orcid_links/token_sealed/{id});
// only tokenOf() opens it. Every query is scoped by tenant.
import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { KeyRing } from '../crypto/key-ring.js';
import { open, seal } from '../crypto/seal.js';
import type { TokenResponse } from '../orcid/oauth.js';
import type { Database, OrcidLinksTable } from './schema.js';

/** A link as services see it: no token, and not the scheduler's bookkeeping of its re-reads. */
export type OrcidLink = Omit<
  Selectable<OrcidLinksTable>,
  | 'token_sealed'
  | 'read_token_sealed'
  | 'sync_due_at'
  | 'sync_reason'
  | 'sync_again'
  | 'sync_lease_until'
  | 'sync_retries'
>;

const tokenContext = (id: string) => ({ table: 'orcid_links', column: 'token_sealed', row: id });
const readTokenContext = (id: string) => ({ table: 'orcid_links', column: 'read_token_sealed', row: id });

const LINK_COLUMNS = [
  'id',
  'tenant_id',
  'person_id',
  'orcid',
  'scope',
  'expires_at',
  'name',
  'status',
  'granted_at',
  'revoked_at',
  'revoked_by',
  'revoked_at_orcid',
  'synced_at',
  'record_modified',
  'section_modified',
  'sync_error',
  'record_state',
  'primary_orcid',
  'expiry_notified_at',
] as const;

/** An iD as ORCID's display guidelines want it shown, with the person's name. */
export interface DisplayedId {
  localId: string;
  orcid: string;
  name: string;
  grantedAt: Date;
}

export class OrcidLinkRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ring: KeyRing,
  ) {}

  byId(tenantId: string, linkId: string): Promise<OrcidLink | undefined> {
    return this.db
      .selectFrom('orcid_links')
      .select(LINK_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', linkId)
      .executeTakeFirst();
  }

  /** The sync engine's own /read-limited token of the link, when it has one. */
  async readTokenOf(tenantId: string, linkId: string): Promise<TokenResponse | null> {
    const row = await this.db
      .selectFrom('orcid_links')
      .select('read_token_sealed')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', linkId)
      .executeTakeFirst();
    return row?.read_token_sealed
      ? (JSON.parse(open(this.ring, row.read_token_sealed, readTokenContext(linkId))) as TokenResponse)
      : null;
  }

  /** Keeps (or, with null, forgets) the sync engine's read token of an active link. */
  async setReadToken(tenantId: string, linkId: string, token: TokenResponse | null): Promise<void> {
    await this.db
      .updateTable('orcid_links')
      .set({
        read_token_sealed: token ? seal(this.ring, JSON.stringify(token), readTokenContext(linkId)) : null,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', linkId)
      .execute();
  }

  /** The record is locked or deactivated (null: available again). Returns whether it changed. */
  async setRecordState(
    tenantId: string,
    linkId: string,
    state: 'locked' | 'deactivated' | null,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('orcid_links')
      .set({ record_state: state })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', linkId)
      .where('record_state', 'is distinct from', state)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The record was merged into `primary`: the link ends (deprecated), its tokens dropped. */
  async markDeprecated(
    tenantId: string,
    linkId: string,
    primary: string | null,
  ): Promise<OrcidLink | undefined> {
    return (
      this.db
        .updateTable('orcid_links')
        // ORCID refuses every token of a deprecated record: there is nothing left to revoke or keep.
        .set({
          status: 'deprecated',
          primary_orcid: primary,
          revoked_at: new Date(),
          revoked_by: 'orcid',
          token_sealed: null,
          read_token_sealed: null,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', linkId)
        .where('status', '=', 'active')
        .returning(LINK_COLUMNS)
        .executeTakeFirst()
    );
  }

  /** Active links whose grant has expired become `expired` (their tokens, useless now, dropped). */
  async expireDue(tenantId: string, now: Date): Promise<OrcidLink[]> {
    return this.db
      .updateTable('orcid_links')
      .set({ status: 'expired', token_sealed: null, read_token_sealed: null })
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .where('expires_at', '<=', now)
      .returning(LINK_COLUMNS)
      .execute();
  }

  /** Active links expiring before `before` that nobody was told of yet, marked told. */
  async claimExpiring(tenantId: string, before: Date): Promise<OrcidLink[]> {
    return this.db
      .updateTable('orcid_links')
      .set({ expiry_notified_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .where('expires_at', '<', before)
      .where('expiry_notified_at', 'is', null)
      .returning(LINK_COLUMNS)
      .execute();
  }

  /** Of these iDs, those actively connected here, with their person's local id. */
  async connectedAmong(tenantId: string, orcids: string[]): Promise<Map<string, string>> {
    if (!orcids.length) return new Map();
    const rows = await this.db
      .selectFrom('orcid_links as l')
      .innerJoin('people as p', (j) =>
        j.onRef('p.id', '=', 'l.person_id').onRef('p.tenant_id', '=', 'l.tenant_id'),
      )
      .select(['l.orcid', 'p.local_id'])
      .where('l.tenant_id', '=', tenantId)
      .where('l.status', '=', 'active')
      .where('l.orcid', 'in', orcids)
      .execute();
    return new Map(rows.map((r) => [r.orcid, r.local_id]));
  }

  /** For reconciliation: how many links are active, and how many were not read since `before`. */
  async syncBacklog(tenantId: string, before: Date): Promise<{ active: number; overdue: number }> {
    const row = await this.db
      .selectFrom('orcid_links')
      .select([
        sql<string>`count(*)`.as('active'),
        sql<string>`count(*) filter (where synced_at is null or synced_at < ${before})`.as('overdue'),
      ])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    return { active: Number(row.active), overdue: Number(row.overdue) };
  }

  /** The active links read longest ago (never read first). */
  async stalest(tenantId: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('orcid_links')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .orderBy(sql`synced_at nulls first`)
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Asks for re-reads (the scheduler's queue of them): each link is due from `dueInSeconds` on
   * (negative: ahead of what is already due). A link already due keeps the earlier time; a link
   * being read right now gets exactly one more read after this one (sync_again). One statement
   * for many requests of many tenants (a burst of notifications); ended links are left alone.
   */
  async requestSync(
    requests: Array<{ tenantId: string; linkId: string; reason: string; dueInSeconds: number }>,
  ) {
    if (!requests.length) return;
    await sql`
      update orcid_links l set
        sync_again = l.sync_again or coalesce(l.sync_lease_until > now(), false),
        sync_due_at = case when l.sync_lease_until > now() then l.sync_due_at
          else least(l.sync_due_at, now() + make_interval(secs => v.due_in)) end,
        sync_reason = case when l.sync_due_at is null or now() + make_interval(secs => v.due_in) < l.sync_due_at
          then v.reason else l.sync_reason end
      from jsonb_to_recordset(${JSON.stringify(
        requests.map((r) => ({
          tenant_id: r.tenantId,
          id: r.linkId,
          reason: r.reason,
          due_in: r.dueInSeconds,
        })),
      )}::jsonb) as v(tenant_id uuid, id uuid, reason text, due_in float8)
      where l.tenant_id = v.tenant_id and l.id = v.id and l.status = 'active'`.execute(this.db);
  }

  /**
   * The scheduler's claim of re-reads: up to `limit` of the tenant's links whose re-read is due,
   * earliest first, each leased for `leaseMs` (its due time moves past the lease, so a re-read a
   * dead worker took is due again then).
   */
  async claimSyncs(
    tenantId: string,
    limit: number,
    leaseMs: number,
  ): Promise<Array<{ id: string; reason: string | null; retries: number }>> {
    const until = new Date(Date.now() + leaseMs);
    // Picked once (materialized): see ItemRepository.claim.
    const rows = await this.db
      .with(
        (cte) => cte('picked').materialized(),
        (db) =>
          db
            .selectFrom('orcid_links')
            .select('id')
            .where('tenant_id', '=', tenantId)
            .where('sync_due_at', '<=', sql<Date>`now()`)
            .orderBy('sync_due_at')
            .limit(limit)
            .forUpdate()
            .skipLocked(),
      )
      .updateTable('orcid_links')
      .set({ sync_lease_until: until, sync_due_at: until })
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
      .returning(['id', 'sync_reason as reason', 'sync_retries as retries'])
      .execute();
    return rows;
  }

  /**
   * Ends a claimed re-read: done (none wanted unless one was asked for meanwhile), or to be tried
   * again `retryInSeconds` later (a transient failure).
   */
  async finishSync(tenantId: string, linkId: string, retryInSeconds: number | null): Promise<void> {
    await this.db
      .updateTable('orcid_links')
      .set(
        retryInSeconds === null
          ? {
              sync_due_at: sql<Date | null>`case when sync_again and status = 'active' then now() end`,
              sync_again: false,
              sync_lease_until: null,
              sync_retries: 0,
            }
          : {
              sync_due_at: sql<Date>`now() + make_interval(secs => ${sql.lit(retryInSeconds)})`,
              sync_again: false,
              sync_lease_until: null,
              sync_retries: sql<number>`sync_retries + 1`,
            },
      )
      .where('tenant_id', '=', tenantId)
      .where('id', '=', linkId)
      .execute();
  }

  activeFor(tenantId: string, personId: string): Promise<OrcidLink | undefined> {
    return this.db
      .selectFrom('orcid_links')
      .select(LINK_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .where('status', '=', 'active')
      .executeTakeFirst();
  }

  activeByOrcid(tenantId: string, orcid: string): Promise<OrcidLink | undefined> {
    return this.db
      .selectFrom('orcid_links')
      .select(LINK_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('orcid', '=', orcid)
      .where('status', '=', 'active')
      .executeTakeFirst();
  }

  /** A new active link holding the whole token response, sealed. */
  async create(tenantId: string, personId: string, token: TokenResponse): Promise<OrcidLink> {
    const id = randomUUID();
    return this.db
      .insertInto('orcid_links')
      .values({
        id,
        tenant_id: tenantId,
        person_id: personId,
        orcid: token.orcid!,
        token_sealed: seal(this.ring, JSON.stringify(token), tokenContext(id)),
        scope: token.scope,
        expires_at: new Date(Date.now() + token.expires_in * 1000),
        name: token.name ?? null,
        status: 'active',
      })
      .returning(LINK_COLUMNS)
      .executeTakeFirstOrThrow();
  }

  /**
   * Keeps the link and replaces its token (the researcher granted more scopes); the token it
   * held is returned so the caller can revoke it.
   */
  async replaceToken(tenantId: string, linkId: string, token: TokenResponse): Promise<TokenResponse | null> {
    return this.db.transaction().execute(async (trx) => {
      const old = await trx
        .selectFrom('orcid_links')
        .select('token_sealed')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', linkId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('orcid_links')
        .set({
          token_sealed: seal(this.ring, JSON.stringify(token), tokenContext(linkId)),
          scope: token.scope,
          expires_at: new Date(Date.now() + token.expires_in * 1000),
          name: token.name ?? null,
          granted_at: new Date(),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', linkId)
        .execute();
      return old.token_sealed
        ? (JSON.parse(open(this.ring, old.token_sealed, tokenContext(linkId))) as TokenResponse)
        : null;
    });
  }

  /** Opens a link's sealed token (read with the item by the write path). */
  openToken(linkId: string, sealed: string): TokenResponse {
    return JSON.parse(open(this.ring, sealed, tokenContext(linkId))) as TokenResponse;
  }

  async tokenOf(tenantId: string, linkId: string): Promise<TokenResponse | null> {
    const row = await this.db
      .selectFrom('orcid_links')
      .select('token_sealed')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', linkId)
      .executeTakeFirst();
    return row?.token_sealed
      ? (JSON.parse(open(this.ring, row.token_sealed, tokenContext(linkId))) as TokenResponse)
      : null;
  }

  /** Ends an active link (the token stays sealed until ORCID confirms its revocation). */
  async markRevoked(
    tenantId: string,
    linkId: string,
    by: 'researcher' | 'admin' | 'orcid',
  ): Promise<OrcidLink | undefined> {
    return this.db
      .updateTable('orcid_links')
      .set({ status: 'revoked', revoked_at: new Date(), revoked_by: by })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', linkId)
      .where('status', '=', 'active')
      .returning(LINK_COLUMNS)
      .executeTakeFirst();
  }

  /** ORCID revoked the token: nothing secret is kept any longer. */
  async confirmRevokedAtOrcid(tenantId: string, linkId: string): Promise<void> {
    await this.db
      .updateTable('orcid_links')
      .set({ token_sealed: null, read_token_sealed: null, revoked_at_orcid: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', linkId)
      .where('status', '=', 'revoked')
      .execute();
  }

  /**
   * The organisation is being deleted: every link that still holds a token is ended, and up to
   * `limit` of them are returned to have their tokens revoked at ORCID.
   */
  async endAllHoldingTokens(tenantId: string, limit: number): Promise<string[]> {
    await this.db
      .updateTable('orcid_links')
      .set({ status: 'revoked', revoked_at: new Date(), revoked_by: 'admin' })
      .where('tenant_id', '=', tenantId)
      .where('token_sealed', 'is not', null)
      .where('status', '!=', 'revoked')
      .execute();
    const rows = await this.db
      .selectFrom('orcid_links')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('token_sealed', 'is not', null)
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** How many of the tenant's links still hold a token. */
  async countHoldingTokens(tenantId: string): Promise<number> {
    const row = await this.db
      .selectFrom('orcid_links')
      .select(sql<string>`count(*)`.as('n'))
      .where('tenant_id', '=', tenantId)
      .where('token_sealed', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Links ended here whose token ORCID has not yet confirmed revoked (for the retry sweep). */
  pendingRevocations(limit: number): Promise<Array<{ tenant_id: string; id: string }>> {
    return this.db
      .selectFrom('orcid_links')
      .select(['tenant_id', 'id'])
      .where('status', '=', 'revoked')
      .where('token_sealed', 'is not', null)
      .orderBy('revoked_at')
      .limit(limit)
      .execute();
  }

  /** People of the tenant with an authenticated iD, by name. */
  async displayed(tenantId: string, options: { localId?: string; limit?: number; offset?: number } = {}) {
    let q = this.db
      .selectFrom('orcid_links as l')
      .innerJoin('people as p', (j) =>
        j.onRef('p.id', '=', 'l.person_id').onRef('p.tenant_id', '=', 'l.tenant_id'),
      )
      .select([
        'p.local_id as localId',
        'l.orcid as orcid',
        'l.granted_at as grantedAt',
        sql<string>`coalesce(nullif(trim(concat_ws(' ', p.given_names, p.family_name)), ''), l.name, l.orcid)`.as(
          'name',
        ),
      ])
      .where('l.tenant_id', '=', tenantId)
      .where('l.status', '=', 'active');
    if (options.localId !== undefined) q = q.where('p.local_id', '=', options.localId);
    return (await q
      .orderBy('p.family_name')
      .orderBy('p.given_names')
      .limit(options.limit ?? 500)
      .offset(options.offset ?? 0)
      .execute()) as DisplayedId[];
  }
}
