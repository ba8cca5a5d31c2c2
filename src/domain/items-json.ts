// The JSON upload for works, funding and peer reviews (docs/uploads.md): ORCID's own v3.0 JSON
// as each item's payload, with the organisation's source key. All-or-nothing like the CSV: the
// caller gets every item, or every problem with the item's number and the field.
import { z } from 'zod';
import { inputProblem } from './input-check.js';
import { type UploadProblem, UploadRefused } from './upload-file.js';

export const JSON_UPLOAD_SECTIONS = ['work', 'funding', 'peer-review'] as const;

const itemSchema = z
  .object({
    localId: z.string().trim().min(1),
    sourceKey: z.string().trim().min(1).max(1000),
    section: z.enum(JSON_UPLOAD_SECTIONS),
    action: z.enum(['present', 'delete']).default('present'),
    payload: z.record(z.string(), z.unknown()),
    groupId: z.string().trim().min(1).optional(),
    person: z
      .object({
        email: z.email().optional(),
        givenNames: z.string().trim().min(1).optional(),
        familyName: z.string().trim().min(1).optional(),
      })
      .strict()
      .optional(),
    // Written by the export, ignored when the file comes back.
    putCode: z.union([z.number(), z.null()]).optional(),
    status: z.string().optional(),
    statusDetail: z.union([z.string(), z.null()]).optional(),
  })
  .strict()
  .refine((i) => i.section !== 'peer-review' || i.action === 'delete' || i.groupId, {
    message: 'A peer review needs its groupId (the review group, e.g. issn:0000-0001)',
    path: ['groupId'],
  });
export type JsonUploadItem = z.infer<typeof itemSchema>;

export interface ParsedJsonItem {
  row: number;
  item: JsonUploadItem;
}

/** Checks a payload as ORCID would (XSD and rules); returns the problems, each with its field. */
export type PayloadCheck = (
  section: string,
  payload: Record<string, unknown>,
) => Array<{ field: string; message: string }>;

export function parseItemsJson(text: string, check: PayloadCheck): ParsedJsonItem[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UploadRefused([
      { row: null, column: null, message: `The file is not JSON: ${(e as Error).message}` },
    ]);
  }
  const bad = inputProblem(doc, '');
  if (bad)
    throw new UploadRefused([{ row: null, column: bad.field || null, message: `The value ${bad.message}.` }]);
  const list = Array.isArray(doc) ? doc : (doc as { items?: unknown })?.items;
  if (!Array.isArray(list))
    throw new UploadRefused([
      { row: null, column: 'items', message: 'Expected {"items": [...]} (or a list of items).' },
    ]);
  if (!list.length)
    throw new UploadRefused([{ row: null, column: 'items', message: 'The file has no items.' }]);

  const problems: UploadProblem[] = [];
  const seen = new Map<string, number>();
  const parsed: ParsedJsonItem[] = [];
  list.forEach((raw, index) => {
    const row = index + 1;
    const r = itemSchema.safeParse(raw);
    if (!r.success) {
      for (const i of r.error.issues)
        problems.push({
          row,
          column: `items[${index}]${i.path.map((p) => `.${String(p)}`).join('')}`,
          message: i.message,
        });
      return;
    }
    const first = seen.get(r.data.sourceKey);
    if (first)
      problems.push({
        row,
        column: `items[${index}].sourceKey`,
        message: `${r.data.sourceKey} is already item ${first}.`,
      });
    else seen.set(r.data.sourceKey, row);
    // The review names its group in the payload too (ORCID requires review-group-id).
    if (r.data.section === 'peer-review' && r.data.groupId)
      r.data.payload = { ...r.data.payload, 'review-group-id': r.data.groupId };
    if (r.data.action === 'present')
      for (const p of check(r.data.section, r.data.payload))
        problems.push({
          row,
          column: `items[${index}].payload${p.field ? `.${p.field}` : ''}`,
          message: p.message,
        });
    parsed.push({ row, item: r.data });
  });
  if (problems.length) throw new UploadRefused(problems);
  return parsed;
}
