import { describe, expect, it } from 'vitest';
import { CopyBinaryReader, CopyFormatError } from './copy-binary.js';

/** A binary COPY stream of these tuples, as PostgreSQL writes it (with a header extension). */
function copyStream(tuples: (string | null)[][], trailer = true): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')];
  const int32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const int16 = (n: number) => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return b;
  };
  parts.push(int32(0), int32(3), Buffer.from('ext'));
  for (const t of tuples) {
    parts.push(int16(t.length));
    for (const f of t) {
      if (f === null) parts.push(int32(-1));
      else {
        const b = Buffer.from(f);
        parts.push(int32(b.length), b);
      }
    }
  }
  if (trailer) parts.push(int16(-1));
  return Buffer.concat(parts);
}

const TUPLES = [
  ['a1', null, 'Ada, "Lovelace"', ''],
  ['é\n\0x', 'tok', '', null],
  ['3', 'x'.repeat(70_000), 'y', 'z'],
];

function read(chunks: Buffer[]) {
  const rows: (string | null)[][] = [];
  const reader = new CopyBinaryReader((fields) => rows.push(fields.map((f) => (f ? f.toString() : null))));
  for (const c of chunks) reader.push(c);
  return { rows, complete: reader.complete };
}

describe('CopyBinaryReader', () => {
  it('gives every tuple with its nulls, empty fields and any bytes, and sees the trailer', () => {
    expect(read([copyStream(TUPLES)])).toEqual({ rows: TUPLES, complete: true });
  });

  it('reads the same tuples however the stream is cut into chunks', () => {
    const whole = copyStream(TUPLES);
    for (const size of [1, 2, 3, 7, 19, 20, 64, 4096]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < whole.length; at += size) chunks.push(whole.subarray(at, at + size));
      expect(read(chunks), `chunks of ${size} bytes`).toEqual({ rows: TUPLES, complete: true });
    }
  });

  it('says a stream that stops before its trailer is incomplete', () => {
    const { rows, complete } = read([copyStream(TUPLES, false)]);
    expect(rows).toHaveLength(3);
    expect(complete).toBe(false);
  });

  it('refuses what is not a binary COPY stream', () => {
    expect(() => read([Buffer.from('id,name\n1,Ada\n2,Grace\n')])).toThrow(CopyFormatError);
  });
});
