// The one file of a multipart upload, handed on as a stream as it arrives (never buffered whole
// in the request); the multipart limit cuts it off one byte past the upload limit, which the
// taker refuses. A body that is not well-formed multipart is refused with the reason.
import { finished } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { UploadRefused } from '../../../domain/upload-file.js';

/** The body was not well-formed multipart: nothing was received. */
export class MalformedUpload extends UploadRefused {}

const malformed = (message: string) => new MalformedUpload([{ row: null, column: null, message }]);
// Busboy's and the plugin's words for a broken body (no boundary, cut short, bad headers).
const unreadable = (e: unknown) => malformed(`The upload could not be read: ${(e as Error).message}`);

/**
 * Gives the request's file to `take` as it arrives; null when the form carried none. Whatever
 * `take` leaves unread is drained, so the request always completes.
 */
export async function receiveFile<T>(
  req: FastifyRequest,
  take: (filename: string, content: AsyncIterable<Buffer>) => Promise<T>,
): Promise<T | null> {
  if (!req.isMultipart() || !/;\s*boundary=/i.test(req.headers['content-type'] ?? ''))
    throw malformed('Send the file as a multipart form (enctype="multipart/form-data") with its boundary.');
  const part = await req.file().catch((e: unknown) => {
    throw unreadable(e);
  });
  if (!part) return null;
  async function* content(): AsyncGenerator<Buffer> {
    try {
      for await (const piece of part!.file) yield piece as Buffer;
    } catch (e) {
      throw unreadable(e);
    }
  }
  try {
    return await take(part.filename, content());
  } finally {
    if (!part.file.readableEnded && !part.file.destroyed) {
      part.file.resume();
      await finished(part.file).catch(() => undefined);
    }
  }
}
