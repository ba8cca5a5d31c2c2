// The organisation's data export (ORCID's vendor requirement): every stored iD with the person's
// names and local id, the link's status, scopes, expiry, granted and revoked times, the tokens
// in clear when asked for, and each of the person's items with its put code. CSV (a line per
// item, or one for a link without items) or JSON (a link per object, its items nested); written as
// it is read. Tokens in clear leave only if the organisation allows it, and every export is
// audited with who asked for it and whether it held tokens.
import type { ExportedLink, LinksExportRepository } from '../db/links-export.repository.js';
import type { PortalLogRepository } from '../db/portal-log.repository.js';
import type { Tenant } from '../db/tenant.repository.js';
import { type ExportFormat, exportText } from './exports.js';

const LINK_COLUMNS = [
  'orcid',
  'given_names',
  'family_name',
  'local_id',
  'link_status',
  'scope',
  'expires_at',
  'granted_at',
  'revoked_at',
] as const;
const TOKEN_COLUMNS = ['access_token', 'refresh_token'] as const;
const ITEM_COLUMNS = ['section', 'source_key', 'put_code', 'put_code_orcid', 'group_id', 'status'] as const;

export class TokenExportForbidden extends Error {
  constructor() {
    super('This organisation does not allow its tokens to be exported (tenant setting tokenExport).');
  }
}

const linkValue = (l: ExportedLink, c: string): unknown =>
  c === 'link_status' ? l.status : l[c as keyof ExportedLink];

export class LinksExportService {
  constructor(private readonly d: { links: LinksExportRepository; log: PortalLogRepository }) {}

  /** Whether the organisation lets tokens be exported in clear. */
  tokensAllowed(tenant: Tenant): boolean {
    return tenant.token_export;
  }

  async *export(
    tenant: Tenant,
    o: { format: ExportFormat; withTokens: boolean; actor: string },
  ): AsyncGenerator<string | Buffer> {
    if (o.withTokens && !this.tokensAllowed(tenant)) throw new TokenExportForbidden();
    await this.d.log.audit({
      tenantId: tenant.id,
      actor: o.actor,
      action: 'links.exported',
      subject: null,
      details: { format: o.format, withTokens: o.withTokens },
    });
    const linkColumns = o.withTokens ? [...LINK_COLUMNS, ...TOKEN_COLUMNS] : [...LINK_COLUMNS];
    if (o.format === 'json') {
      yield* exportText(
        this.d.links.jsonBatches(tenant.id, o.withTokens),
        [...linkColumns, 'items'],
        linkValue,
        'json',
      );
      return;
    }
    yield `${[...linkColumns, ...ITEM_COLUMNS.map((c) => `item_${c}`)].join(',')}\n`;
    yield* this.d.links.csvPieces(tenant.id, o.withTokens);
  }
}
