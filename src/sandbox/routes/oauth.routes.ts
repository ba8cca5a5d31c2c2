// Token, revocation and OpenID Connect endpoints (SPEC 3.7-3.11, 5). /oauth/token and
// /oauth/revoke answer under all three host prefixes, as ORCID's do.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context.js';
import { expandScopes } from '../oauth/scopes.js';
import { type Form, OAuthError, TokenService } from '../oauth/token-service.js';

export function formOf(req: FastifyRequest): Form | null {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return null;
  return Object.fromEntries(new URLSearchParams(typeof req.body === 'string' ? req.body : ''));
}

function sendOAuthError(reply: FastifyReply, e: OAuthError): FastifyReply {
  return reply.code(e.status).type('application/json;charset=UTF-8').send(JSON.stringify(e.body()));
}

const UNSUPPORTED_MEDIA =
  '<html><body><h1>HTTP Status 415 – Unsupported Media Type</h1><p>The token endpoint accepts application/x-www-form-urlencoded only.</p></body></html>';

export function registerOAuthRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const tokens = new TokenService(ctx);

  for (const prefix of ['', '/api', '/pub']) {
    app.route({
      method: ['GET', 'POST'],
      url: `${prefix}/oauth/token`,
      handler: async (req, reply) => {
        const form = req.method === 'POST' ? formOf(req) : null;
        if (!form) return reply.code(415).type('text/html').send(UNSUPPORTED_MEDIA);
        try {
          const body = tokens.token(form, req.headers.authorization);
          return reply
            .header('cache-control', 'no-store')
            .header('pragma', 'no-cache')
            .type('application/json;charset=UTF-8')
            .send(JSON.stringify(body));
        } catch (e) {
          if (e instanceof OAuthError) return sendOAuthError(reply, e);
          throw e;
        }
      },
    });
    app.post(`${prefix}/oauth/revoke`, async (req, reply) => {
      const form = formOf(req);
      if (!form) return reply.code(415).type('text/html').send(UNSUPPORTED_MEDIA);
      try {
        tokens.revoke(form, req.headers.authorization);
        return reply.code(200).send('');
      } catch (e) {
        if (e instanceof OAuthError) return sendOAuthError(reply, e);
        throw e;
      }
    });
  }

  app.get('/.well-known/openid-configuration', async (_req, reply) => {
    const base = ctx.urls.registry;
    const doc = {
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
      id_token_signing_alg_values_supported: ['RS256'],
      userinfo_endpoint: `${base}/oauth/userinfo`,
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/oauth/token`,
      jwks_uri: `${base}/oauth/jwks`,
      claims_supported: ['family_name', 'given_name', 'name', 'auth_time', 'iss', 'sub'],
      scopes_supported: ['openid'],
      subject_types_supported: ['public'],
      response_types_supported: ['code', 'id_token', 'id_token token'],
      claims_parameter_supported: false,
      token_endpoint_auth_methods_supported: ['client_secret_post'],
      grant_types_supported: ['authorization_code', 'implicit', 'refresh_token'],
      issuer: base,
    };
    return reply
      .header('access-control-allow-origin', '*')
      .type('application/json;charset=UTF-8')
      .send(JSON.stringify(doc, null, 2).replace(/": /g, '" : '));
  });

  app.get('/oauth/jwks', async (_req, reply) =>
    reply
      .header('access-control-allow-origin', '*')
      .type('application/json;charset=UTF-8')
      .send(JSON.stringify(ctx.keys.jwks())),
  );

  // SPEC 5.4: Bearer header, or access_token as a form or query parameter.
  const userinfo = async (req: FastifyRequest, reply: FastifyReply) => {
    const header = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
    const form = req.method === 'POST' ? formOf(req) : null;
    const bearer = form?.access_token ?? (req.query as Record<string, string>).access_token ?? header;
    const token = bearer ? ctx.store.tokens.get(bearer) : undefined;
    const ok =
      token &&
      !token.disabled &&
      token.expiresAt > ctx.store.now() &&
      token.orcid &&
      expandScopes(token.scopes).has('/authenticate');
    reply.header('access-control-allow-origin', '*');
    if (!ok || !token?.orcid)
      return reply
        .code(403)
        .type('application/json;charset=UTF-8')
        .send(JSON.stringify({ error: 'access_denied', 'error-description': 'access_token is invalid' }));
    const r = ctx.store.researchers.get(token.orcid)!;
    const pub = r.namesVisibility === 'public';
    return reply.type('application/json;charset=UTF-8').send(
      JSON.stringify({
        id: ctx.urls.orcidUri(r.orcid),
        sub: r.orcid,
        name: pub ? r.creditName : null,
        family_name: pub ? r.familyNames : null,
        given_name: pub ? r.givenNames : null,
      }),
    );
  };
  app.get('/oauth/userinfo', userinfo);
  app.post('/oauth/userinfo', userinfo);
}
