// How errors reach people and systems, in one place: every WebError (src/web/errors.ts), and
// what Fastify and its plugins throw (CSRF, refused input, rate limits, schema validation), is
// answered as the localised error page for people and as `{ error, message, field? }` JSON for
// the APIs (/api/… and /o/{tenant}/api/…). No error's own text reaches a page, and an
// unexpected error is logged and answered 500 without its details.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { BadInput } from '../../domain/input-check.js';
import { type FieldProblem, isDatabaseAway, isWebError, type WebError, webErrors } from '../errors.js';
import { pickLanguage, translator } from '../i18n.js';
import { LANG_COOKIE } from '../routes/portal/portal-context.js';

const CSRF_ERRORS = new Set(['FST_CSRF_INVALID_TOKEN', 'FST_CSRF_MISSING_SECRET']);

/** Answers for systems rather than people: the REST API, the display API, inbound hooks. */
export const wantsJson = (req: FastifyRequest) => /^\/(hooks\/|(o\/[^/?]+\/)?api\/)/.test(req.url);

/** A minimal page for an error (escaped by hand: it must render whatever broke). */
function plainPage(lang: string, title: string, text: string, problems: readonly FieldProblem[]): string {
  const esc = (v: string) => v.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  // What was wrong with the request, field by field (in English, as the API says it).
  const list = problems.length
    ? `<ul lang="en">${problems.map((p) => `<li>${esc(p.field)}: ${esc(p.message)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title></head><body><main><h1>${esc(title)}</h1><p>${esc(text)}</p>${list}</main></body></html>`;
}

/** Sends a WebError as its page or its JSON. */
export function sendError(req: FastifyRequest, reply: FastifyReply, err: WebError): FastifyReply {
  reply.code(err.statusCode).headers(err.headers);
  if (wantsJson(req)) return reply.send(err.toJSON());
  const cookies = (req as { cookies?: Record<string, string> }).cookies;
  const lang = pickLanguage(
    (req.query as Record<string, unknown> | undefined)?.lang,
    cookies?.[LANG_COOKIE],
    req.headers['accept-language'],
  );
  const t = translator(lang);
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(plainPage(lang, t(`${err.page}Title`), t(`${err.page}Text`), err.problems));
}

/** What was thrown, as a WebError; null for Fastify's own client errors, which keep their answer. */
function asWebError(err: { code?: string; statusCode?: number }): WebError | null {
  if (isWebError(err)) return err;
  if (err.code && CSRF_ERRORS.has(err.code)) return webErrors.csrfInvalid();
  if (err instanceof BadInput)
    return webErrors.invalidRequest('body', [{ field: err.field, message: err.message }]);
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as { validationContext?: string }).validationContext;
    return webErrors.invalidRequest(
      where === 'params' ? 'path' : 'body',
      // The issue's path, as /a/b; fields are named a.b here.
      err.validation.map((v) => ({
        field: v.instancePath.split('/').filter(Boolean).join('.') || '(body)',
        message: v.message ?? 'invalid',
      })),
    );
  }
  return null;
}

export const errorPages = fp(async (app: FastifyInstance) => {
  app.setNotFoundHandler((req, reply) => sendError(req, reply, webErrors.notFound()));
  app.setErrorHandler((err: { code?: string; statusCode?: number; message?: string }, req, reply) => {
    const known = asWebError(err);
    if (known) return sendError(req, reply, known);
    // Fastify's own refusals (body too large, unsupported type, …) keep their status and body.
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send(err);
    if (isDatabaseAway(err)) {
      req.log.warn({ err }, 'database unreachable: answered 503');
      return sendError(req, reply, webErrors.unavailable());
    }
    req.log.error(err, 'request failed');
    return sendError(req, reply, webErrors.serverError());
  });
});
