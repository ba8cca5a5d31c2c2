// The organisation's systems call the API with a key of theirs: which organisation a key is for,
// and the keys an administrator (console) or the operator (CLI) makes, lists and revokes. A key
// is shown once when made and stored as its hash; making and revoking one are audited.
import type { ApiKeyRepository } from '../db/api-key.repository.js';
import type { PortalLogRepository } from '../db/portal-log.repository.js';

export class ApiKeyService {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly log: PortalLogRepository,
  ) {}

  /** The key's organisation (its last use recorded at most once a minute); null for no key of ours. */
  tenantOf(key: string): Promise<{ tenantId: string; keyId: string } | null> {
    return this.keys.tenantOf(key);
  }

  list(tenantId: string) {
    return this.keys.list(tenantId);
  }

  /** A new key: the returned secret is shown to whoever made it, once, and never stored. */
  async create(tenantId: string, name: string, actor: string): Promise<{ id: string; key: string }> {
    const made = await this.keys.create(tenantId, name);
    await this.log.audit({
      tenantId,
      actor,
      action: 'api_key.created',
      subject: name,
      details: { id: made.id },
    });
    return made;
  }

  /** False when the organisation has no such live key. */
  async revoke(tenantId: string, id: string, actor: string): Promise<boolean> {
    if (!(await this.keys.revoke(tenantId, id))) return false;
    await this.log.audit({ tenantId, actor, action: 'api_key.revoked', subject: null, details: { id } });
    return true;
  }
}
