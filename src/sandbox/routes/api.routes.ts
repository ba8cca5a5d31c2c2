// The member (/api) and public (/pub) API hosts: negotiation and serialisation around the dispatcher.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDispatcher, ApiResult } from '../api/api-dispatch.js';
import { negotiate } from '../api/negotiate.js';
import { errorXml, OAuthStyleError, OrcidApiError } from '../api/orcid-errors.js';
import type { SandboxContext } from '../context.js';

export function registerApiRoutes(
  app: FastifyInstance,
  ctx: SandboxContext,
  dispatcher: ApiDispatcher,
): void {
  const handler = (api: 'member' | 'public') => async (req: FastifyRequest, reply: FastifyReply) => {
    const prefix = api === 'member' ? '/api' : '/pub';
    const url = req.url;
    const qIndex = url.indexOf('?');
    const path = (qIndex < 0 ? url : url.slice(0, qIndex)).slice(prefix.length);
    const negotiated = negotiate(req.headers.accept, req.headers['content-type']);
    try {
      const result = dispatcher.handle({
        api,
        method: req.method,
        path,
        query: req.query as Record<string, string>,
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: typeof req.body === 'string' ? req.body : '',
      });
      if (result.doc && negotiated === null && !result.raw) {
        return sendError(
          reply,
          new OrcidApiError(9001, {}, `Unacceptable Accept header: ${req.headers.accept}`, 406),
          null,
        );
      }
      return send(reply, ctx, result, negotiated);
    } catch (e) {
      if (e instanceof OAuthStyleError) {
        return reply.code(e.status).type('application/json;charset=UTF-8').send(JSON.stringify(e.body));
      }
      if (e instanceof OrcidApiError) return sendError(reply, e, negotiated);
      throw e;
    }
  };
  for (const [prefix, api] of [
    ['/api', 'member'],
    ['/pub', 'public'],
  ] as const) {
    app.route({ method: ['GET', 'POST', 'PUT', 'DELETE'], url: `${prefix}/*`, handler: handler(api) });
  }
}

function sendError(
  reply: FastifyReply,
  e: OrcidApiError,
  negotiated: ReturnType<typeof negotiate>,
): FastifyReply {
  for (const [k, v] of Object.entries(e.headers)) reply.header(k, v);
  reply.code(e.status);
  if (negotiated && negotiated.format !== 'xml')
    return reply
      .type(`${negotiated.mediaType};charset=UTF-8`)
      .send(JSON.stringify(e.body, null, negotiated.format === 'json-pretty' ? 2 : undefined));
  return reply
    .type(`${negotiated?.mediaType ?? 'application/vnd.orcid+xml'};charset=UTF-8`)
    .send(errorXml(e.body));
}

function send(
  reply: FastifyReply,
  ctx: SandboxContext,
  result: ApiResult,
  negotiated: ReturnType<typeof negotiate>,
): FastifyReply {
  for (const [k, v] of Object.entries(result.headers ?? {})) reply.header(k, v);
  reply.code(result.status);
  if (result.raw) return reply.type(result.raw.contentType).send(result.raw.body);
  if (!result.doc) return reply.send();
  const { ns, element, json } = result.doc;
  const format = negotiated?.format ?? 'xml';
  // Documents outside ORCID's XSDs (status, client) are JSON only.
  if (format !== 'xml' || ns === '') {
    const type = format === 'xml' ? 'application/json' : negotiated!.mediaType;
    return reply
      .type(`${type};charset=UTF-8`)
      .send(
        serialised(json, format, () => JSON.stringify(json, null, format === 'json-pretty' ? 2 : undefined)),
      );
  }
  const codec = ctx.model.codecFor(ns);
  return reply
    .type(`${negotiated!.mediaType};charset=UTF-8`)
    .send(serialised(json, 'xml', () => codec.toXml(ns, element, json)));
}

/** Serialisations of memoised documents, so a repeated read is not serialised again. */
const bodies = new WeakMap<object, Map<string, string>>();

function serialised(json: object, format: string, build: () => string): string {
  const forms = bodies.get(json) ?? new Map<string, string>();
  bodies.set(json, forms);
  const body = forms.get(format) ?? build();
  forms.set(format, body);
  return body;
}
