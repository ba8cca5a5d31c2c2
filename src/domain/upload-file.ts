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

/** The size limit passed: the same words wherever the file is measured. */
export const tooLarge = (bytes: number) =>
  new UploadRefused([
    {
      row: null,
      column: null,
      message: `The file is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_UPLOAD_BYTES / 1024 / 1024} MB. Split it into smaller files.`,
    },
  ]);

const notText = () =>
  new UploadRefused([
    {
      row: null,
      column: null,
      message:
        'The file is not UTF-8 text (nor UTF-16 with a byte-order mark). Save it as "CSV UTF-8" or as UTF-16 with a byte-order mark.',
    },
  ]);

/** The encoding a file's first bytes announce, and how many bytes the mark takes. */
function encodingOf(bytes: Uint8Array): { encoding: string; skip: number } {
  const [a, b, c] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: 'utf-8', skip: 3 };
  if (a === 0xff && b === 0xfe) return { encoding: 'utf-16le', skip: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: 'utf-16be', skip: 2 };
  return { encoding: 'utf-8', skip: 0 };
}

/**
 * decodeUpload for a file read in pieces: yields its text piece by piece, and throws
 * UploadRefused as soon as a piece is not text (or the file passes the limit).
 */
export async function* decodeUploadStream(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  let head = new Uint8Array(0);
  let size = 0;
  const decode = (bytes: Uint8Array, stream: boolean) => {
    let text: string;
    try {
      text = decoder!.decode(bytes, { stream });
    } catch {
      throw notText();
    }
    if (text.includes('\u0000')) throw notText();
    return text;
  };
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > MAX_UPLOAD_BYTES) throw tooLarge(size);
    let bytes = chunk;
    if (!decoder) {
      // The byte-order mark may straddle the first pieces.
      head = Buffer.concat([head, chunk]);
      if (head.byteLength < 3) continue;
      const { encoding, skip } = encodingOf(head);
      decoder = new TextDecoder(encoding, { fatal: true });
      bytes = head.subarray(skip);
    }
    const text = decode(bytes, true);
    if (text) yield text;
  }
  if (!decoder) {
    const { encoding, skip } = encodingOf(head);
    decoder = new TextDecoder(encoding, { fatal: true });
    head = head.subarray(skip);
  } else head = new Uint8Array(0);
  const rest = decode(head, false);
  if (rest) yield rest;
}

/**
 * The file's text. UTF-16 (either byte order) is recognised by its byte-order mark, UTF-8 with
 * or without one; anything else is refused rather than guessed (a wrong guess garbles names).
 */
export function decodeUpload(bytes: Uint8Array): string {
  if (bytes.byteLength > MAX_UPLOAD_BYTES) throw tooLarge(bytes.byteLength);
  const { encoding, skip } = encodingOf(bytes);
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(skip));
  } catch {
    throw notText();
  }
  if (text.includes('\u0000')) throw notText();
  return text;
}

/** An upload's states: received, being checked, being stated, then accepted, refused or failed. */
export const UPLOAD_STATES = ['received', 'checking', 'stating', 'accepted', 'refused', 'failed'] as const;
export type UploadState = (typeof UPLOAD_STATES)[number];
