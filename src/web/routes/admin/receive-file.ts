// The one file of a multipart upload, streamed to a temporary file (never buffered whole in the
// request), cut off past the upload limit. A body that is not well-formed multipart is refused
// with the reason, as a problem of the upload.
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { MAX_UPLOAD_BYTES, UploadRefused } from '../../../domain/upload-file.js';

export interface ReceivedFile {
  filename: string;
  read(): Promise<Buffer>;
  discard(): Promise<void>;
}

/** The body was not well-formed multipart: nothing was received. */
export class MalformedUpload extends UploadRefused {}

const malformed = (message: string) => new MalformedUpload([{ row: null, column: null, message }]);

/** The request's file, or null when the form carried none. */
export async function receiveFile(req: FastifyRequest): Promise<ReceivedFile | null> {
  if (!req.isMultipart() || !/;\s*boundary=/i.test(req.headers['content-type'] ?? ''))
    throw malformed('Send the file as a multipart form (enctype="multipart/form-data") with its boundary.');
  const dir = await mkdtemp(join(tmpdir(), 'lanyard-upload-'));
  const discard = () => rm(dir, { recursive: true, force: true });
  try {
    const part = await req.file();
    if (!part) {
      await discard();
      return null;
    }
    const path = join(dir, 'file');
    await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
    if (part.file.truncated)
      throw new UploadRefused([
        {
          row: null,
          column: null,
          message: `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB; the limit is ${MAX_UPLOAD_BYTES / 1024 / 1024} MB. Split it into smaller files.`,
        },
      ]);
    return { filename: part.filename, read: () => readFile(path), discard };
  } catch (e) {
    await discard();
    if (e instanceof UploadRefused) throw e;
    // Busboy's and the plugin's words for a broken body (no boundary, cut short, bad headers).
    throw malformed(`The upload could not be read: ${(e as Error).message}`);
  }
}
