// The organisation's systems call the API with a key of theirs: which organisation a key is for.
import type { ApiKeyRepository } from '../db/api-key.repository.js';

export class ApiKeyService {
  constructor(private readonly keys: ApiKeyRepository) {}

  /** The key's organisation (its last use recorded at most once a minute); null for no key of ours. */
  tenantOf(key: string): Promise<{ tenantId: string; keyId: string } | null> {
    return this.keys.tenantOf(key);
  }
}
