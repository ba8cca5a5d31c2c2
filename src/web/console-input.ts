// What the console's routes share to read their input: a zod schema's answer or a 400 naming every
// field at fault, and the opaque keys of "next page" links (the time and id of the last row a page
// showed), which the page writes and the next request reads back.
import { z } from 'zod';
import { webErrors } from './errors.js';

/** The input as the schema reads it; else 400 with each problem by field. */
export function parsedInput<T>(schema: z.ZodType<T>, raw: unknown, where: 'path' | 'body'): T {
  const r = schema.safeParse(raw ?? {});
  if (r.success) return r.data;
  throw webErrors.invalidRequest(
    where,
    r.error.issues.map((i) => ({ field: String(i.path[0] ?? where), message: i.message })),
  );
}

export interface PageKey {
  at: string;
  id: string;
}

/** A page key as a link carries it. */
export const pageKeyParam = (k: PageKey): string => Buffer.from(`${k.at}~${k.id}`).toString('base64url');

/** Reads a page key back; `id` says what a row's id looks like (a uuid, a number). */
export const pageKeySchema = (id: RegExp) =>
  z
    .string()
    .max(300)
    .transform((s, ctx) => {
      const text = Buffer.from(s, 'base64url').toString('utf8');
      const cut = text.lastIndexOf('~');
      const at = text.slice(0, cut);
      const rowId = text.slice(cut + 1);
      if (cut > 0 && !Number.isNaN(Date.parse(at)) && id.test(rowId)) return { at, id: rowId };
      ctx.addIssue({ code: 'custom', message: 'not a page of this list' });
      return z.NEVER;
    });

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
