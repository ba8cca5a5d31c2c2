// A real institutional OpenID Provider for tests (the `oidc-provider` package) with its
// development login and consent pages: any login name signs in as that account.
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from './demo-process.js';

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/** The directory behind the IdP: account id -> claims. */
export type IdpDirectory = Record<string, Record<string, string>>;

export async function startOidcIdp(redirectUris: string[], directory: IdpDirectory): Promise<TestIdp> {
  const clientId = 'lanyard-portal';
  const clientSecret = 'idp-client-secret-0123456789abcdef';
  // The issuer must be known before listening.
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name', 'employee_id'],
    },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['test-idp-cookie-key'] },
    async findAccount(_ctx, id) {
      const claims = directory[id];
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
  });
  const server = provider.listen(port, '127.0.0.1') as unknown as Server;
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    issuer,
    clientId,
    clientSecret,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
