// Sends an export as a download while it is being read. Nothing is sent until its first piece
// is ready (the export audits itself before that), so a failure to start is an error page, not
// a broken download.
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { ExportFormat } from '../../../services/exports.js';

export async function sendExport(
  reply: FastifyReply,
  text: AsyncGenerator<string | Buffer>,
  filename: string,
  format: ExportFormat,
): Promise<FastifyReply> {
  const first = await text.next();
  return reply
    .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`)
    .send(
      // Bytes, at most ~64 KB ahead of the connection: the export runs at the reader's pace.
      Readable.from(
        (async function* () {
          if (!first.done) yield first.value;
          yield* text;
        })(),
        { objectMode: false, highWaterMark: 64 * 1024 },
      ),
    );
}
