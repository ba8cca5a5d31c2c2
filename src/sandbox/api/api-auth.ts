// Bearer-token checks of the API hosts (SPEC 6.2, 7.3, 12).
import type { SandboxContext } from '../context.js';
import { expandScopes } from '../oauth/scopes.js';
import type { AccessToken, Client } from '../store/types.js';
import { invalidToken, OAuthStyleError, OrcidApiError } from './orcid-errors.js';
import type { Viewer } from './record-view.js';

export interface Caller {
  token: AccessToken | null;
  client: Client | null;
  viewer: Viewer;
}

export function bearerOf(authorization: string | undefined, query: Record<string, unknown>): string | null {
  const m = /^Bearer\s+(\S+)/i.exec(authorization ?? '');
  if (m) return m[1]!;
  return typeof query.access_token === 'string' ? query.access_token : null;
}

/**
 * Resolves the caller. On the member API a token is required and must belong to a member client.
 * A token the researcher revoked still works for DELETE, so clients can remove their items.
 */
export function authenticate(
  ctx: SandboxContext,
  api: 'member' | 'public',
  bearer: string | null,
  method: string,
): Caller {
  if (!bearer) {
    if (api === 'member')
      throw new OAuthStyleError(403, {
        error: 'forbidden',
        error_description: 'Forbidden: The server understood the request but refuses to authorize it.',
      });
    return { token: null, client: null, viewer: { api, clientId: null, scopes: new Set(['/read-public']) } };
  }
  const token = ctx.store.tokens.get(bearer);
  const usable =
    token &&
    token.expiresAt > ctx.store.now() &&
    (!token.disabled || (method === 'DELETE' && token.revokeReason === 'USER_REVOKED'));
  if (!token || !usable) throw invalidToken(bearer);
  const client = ctx.store.clients.get(token.clientId) ?? null;
  if (!client) throw invalidToken(bearer);
  if (api === 'member' && client.type !== 'member')
    throw new OAuthStyleError(403, { error: 'forbidden', error_description: `Access Denied: ${bearer}` });
  token.uses = (token.uses ?? 0) + 1;
  token.lastUsedAt = ctx.store.now();
  return { token, client, viewer: { api, clientId: client.clientId, scopes: expandScopes(token.scopes) } };
}

/** A three-legged token must be for the record in the URL (SPEC 6.2: 401 / 9017). */
export function checkTokenRecord(caller: Caller, orcid: string): void {
  if (caller.token?.orcid && caller.token.orcid !== orcid) throw new OrcidApiError(9017);
}

export function requireScope(caller: Caller, ...anyOf: string[]): void {
  if (!anyOf.some((s) => caller.viewer.scopes.has(s))) throw new OrcidApiError(9038);
}
