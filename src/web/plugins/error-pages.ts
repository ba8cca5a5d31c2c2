// How errors reach people: a page in their language for the portal and admin area, JSON for the
// API; invalid CSRF tokens, refused input and rate limits each have their own answer, and no
// error's text reaches the page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { BAD_INPUT, type BadInput } from '../../domain/input-check.js';
import { type Language, pickLanguage, translator } from '../i18n.js';
import { LANG_COOKIE } from '../routes/portal/portal-context.js';
import { RATE_LIMITED } from './abuse-limits.js';

const CSRF_ERRORS = new Set(['FST_CSRF_INVALID_TOKEN', 'FST_CSRF_MISSING_SECRET']);

/** A minimal page for requests that never reached a tenant's portal (escaped by hand). */
function plainPage(lang: Language, title: string, text: string): string {
  const esc = (v: string) => v.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title></head><body><main><h1>${esc(title)}</h1><p>${esc(text)}</p></main></body></html>`;
}

function sendPlain(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  key: 'notFound' | 'csrf' | 'serverError' | 'tooMany' | 'badRequest',
) {
  const cookies = (req as { cookies?: Record<string, string> }).cookies;
  const lang = pickLanguage(
    (req.query as Record<string, unknown> | undefined)?.lang,
    cookies?.[LANG_COOKIE],
    req.headers['accept-language'],
  );
  const t = translator(lang);
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(plainPage(lang, t(`${key}Title`), t(`${key}Text`)));
}

export const errorPages = fp(async (app: FastifyInstance) => {
  app.setNotFoundHandler((req, reply) => sendPlain(req, reply, 404, 'notFound'));
  app.setErrorHandler((err: { code?: string; statusCode?: number; message?: string }, req, reply) => {
    if (err.code && CSRF_ERRORS.has(err.code)) return sendPlain(req, reply, 403, 'csrf');
    if (err.code === BAD_INPUT) {
      const { field, message } = err as BadInput;
      return req.url.startsWith('/api/')
        ? reply.code(400).send({ error: 'invalid_body', problems: [{ field, message }] })
        : sendPlain(req, reply, 400, 'badRequest');
    }
    if (err.code === RATE_LIMITED)
      return req.url.startsWith('/api/')
        ? reply.code(429).send({ error: 'rate_limited', message: err.message })
        : sendPlain(req, reply, 429, 'tooMany');
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send(err);
    req.log.error(err, 'request failed');
    return sendPlain(req, reply, 500, 'serverError');
  });
});
