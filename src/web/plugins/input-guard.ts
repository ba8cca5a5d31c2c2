// Input that must be refused before any route sees it, in one place: JSON bodies nested deeper
// than any ORCID document (a 100,000-level body would overflow a recursive walk later), and NUL
// characters anywhere in a path segment, query, form field or JSON value or key (PostgreSQL
// refuses them in text, which would answer 500). Each refusal is a 400 naming the field; the
// app's error handler renders it as JSON for the API and as a page elsewhere.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { BadInput, inputProblem } from '../../domain/input-check.js';

export const inputGuard = fp(async (app: FastifyInstance) => {
  // JSON bodies: parsed as text, then walked once for depth and NULs.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (!text.trim()) return done(new BadInput('(body)', 'is empty: send a JSON object'));
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return done(new BadInput('(body)', `is not JSON: ${(e as Error).message}`));
    }
    const problem = inputProblem(value, '');
    if (problem) return done(problem);
    done(null, value);
  });

  app.addHook('preValidation', async (req) => {
    const problem =
      inputProblem(req.params, '') ??
      inputProblem(req.query, '') ??
      // JSON was checked by its parser; multipart files are checked by the upload's parsers.
      (req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
        ? inputProblem(req.body, '')
        : null);
    if (problem) throw problem;
  });
});
