// Reads PostgreSQL's binary COPY format (COPY ... TO STDOUT (FORMAT binary)) as it arrives, a
// tuple at a time, as Buffers over the received bytes: no string or object per field, so an
// export of millions of rows allocates next to nothing per row. The format: an 11-byte
// signature, a 32-bit flags field and a header extension, then per tuple a 16-bit field count
// and per field a 32-bit length (-1 for null) and its bytes, and a count of -1 at the end.
// https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
//
// pg-copy-streams-binary decodes every field into a JS value, the per-row allocation this avoids.

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export class CopyFormatError extends Error {}

/**
 * Feed the COPY stream's chunks to `push`; `row` is called with each complete tuple's fields
 * (views of the received bytes, valid only during the call; null for SQL NULL). The fields
 * array is reused from one tuple to the next.
 */
export class CopyBinaryReader {
  private pending: Buffer | null = null;
  private headerRead = false;
  private ended = false;
  private readonly fields: (Buffer | null)[] = [];

  constructor(private readonly row: (fields: readonly (Buffer | null)[]) => void) {}

  push(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    if (!this.headerRead) {
      at = this.headerEnd(buf);
      if (at === -1) {
        this.keep(buf, 0);
        return;
      }
      this.headerRead = true;
    }
    while (!this.ended) {
      const end = this.tupleEnd(buf, at);
      if (end === -1) break;
      if (end === at + 2) {
        this.ended = true; // the trailer: a field count of -1
        at = end;
        break;
      }
      const count = buf.readInt16BE(at);
      let p = at + 2;
      this.fields.length = count;
      for (let i = 0; i < count; i++) {
        const len = buf.readInt32BE(p);
        p += 4;
        this.fields[i] = len === -1 ? null : buf.subarray(p, p + len);
        if (len > 0) p += len;
      }
      this.row(this.fields);
      at = end;
    }
    this.keep(buf, at);
  }

  /** Whether the stream's trailer was read: a stream that stops before it was cut short. */
  get complete(): boolean {
    return this.ended;
  }

  /** Where the header ends, or -1 if its bytes have not all arrived. */
  private headerEnd(buf: Buffer): number {
    if (buf.length < SIGNATURE.length + 8) return -1;
    if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE))
      throw new CopyFormatError('not a binary COPY stream');
    const end = SIGNATURE.length + 8 + buf.readUInt32BE(SIGNATURE.length + 4);
    return buf.length < end ? -1 : end;
  }

  /** Where the tuple starting at `at` ends, or -1 if its bytes have not all arrived. */
  private tupleEnd(buf: Buffer, at: number): number {
    if (buf.length < at + 2) return -1;
    const count = buf.readInt16BE(at);
    if (count === -1) return at + 2;
    if (count < 0) throw new CopyFormatError(`bad field count ${count}`);
    let p = at + 2;
    for (let i = 0; i < count; i++) {
      if (buf.length < p + 4) return -1;
      const len = buf.readInt32BE(p);
      p += 4 + (len > 0 ? len : 0);
      if (buf.length < p) return -1;
    }
    return p;
  }

  private keep(buf: Buffer, at: number): void {
    // A copy, not a view: the rest of the chunk is not held for the sake of a few bytes.
    this.pending = at < buf.length ? Buffer.from(buf.subarray(at)) : null;
  }
}
