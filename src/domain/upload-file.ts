// What every bulk upload shares: the size limit, text decoding by byte-order mark, and problems
// that name the row and the column (or field) at fault. An upload with any problem is refused
// as a whole.

export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

export interface UploadProblem {
  /** 1-based: the spreadsheet row (the header is row 1), or the item's number in a JSON file. */
  row: number | null;
  /** The column (CSV) or field path (JSON) at fault. */
  column: string | null;
  message: string;
}

export class UploadRefused extends Error {
  constructor(readonly problems: UploadProblem[]) {
    super(
      problems
        .slice(0, 3)
        .map((p) => formatProblem(p))
        .join('; '),
    );
  }
}

export function formatProblem(p: UploadProblem): string {
  const where = [p.row !== null ? `row ${p.row}` : null, p.column ? `column ${p.column}` : null]
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${p.message}` : p.message;
}

/**
 * The file's text. UTF-16 (either byte order) is recognised by its byte-order mark, UTF-8 with
 * or without one; anything else is refused rather than guessed (a wrong guess garbles names).
 */
export function decodeUpload(bytes: Uint8Array): string {
  if (bytes.byteLength > MAX_UPLOAD_BYTES)
    throw new UploadRefused([
      {
        row: null,
        column: null,
        message: `The file is ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_UPLOAD_BYTES / 1024 / 1024} MB. Split it into smaller files.`,
      },
    ]);
  const [a, b, c] = bytes;
  let encoding = 'utf-8';
  let skip = 0;
  if (a === 0xef && b === 0xbb && c === 0xbf) skip = 3;
  else if (a === 0xff && b === 0xfe) [encoding, skip] = ['utf-16le', 2];
  else if (a === 0xfe && b === 0xff) [encoding, skip] = ['utf-16be', 2];
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(skip));
  } catch {
    text = '\u0000';
  }
  if (text.includes('\u0000'))
    throw new UploadRefused([
      {
        row: null,
        column: null,
        message:
          'The file is not UTF-8 text (nor UTF-16 with a byte-order mark). Save it as "CSV UTF-8" or as UTF-16 with a byte-order mark.',
      },
    ]);
  return text;
}
