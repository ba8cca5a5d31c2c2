// Exports written as they are read: rows arrive in batches from the database and leave as CSV or
// JSON text, a batch at a time, so an export of millions of rows never holds them all.
import { csvCell } from '../domain/csv-cell.js';

export type ExportFormat = 'csv' | 'json';

/**
 * The batches as CSV (a header of the columns, then a line per row) or as one JSON array of
 * objects with those keys. `value` gives a row's cell: JSON keeps its type, CSV writes it as text
 * (dates in ISO 8601, null as empty).
 */
export async function* exportText<Row>(
  batches: AsyncIterable<Row[]>,
  columns: readonly string[],
  value: (row: Row, column: string) => unknown,
  format: ExportFormat,
): AsyncGenerator<string> {
  if (format === 'csv') {
    yield `${columns.join(',')}\n`;
    const text = (v: unknown) =>
      v instanceof Date
        ? v.toISOString()
        : typeof v === 'object' && v !== null
          ? JSON.stringify(v)
          : String(v ?? '');
    for await (const rows of batches) {
      let out = '';
      for (const r of rows) out += `${columns.map((c) => csvCell(text(value(r, c)))).join(',')}\n`;
      yield out;
    }
    return;
  }
  yield '[';
  let first = true;
  for await (const rows of batches) {
    const parts = rows.map((r) => JSON.stringify(Object.fromEntries(columns.map((c) => [c, value(r, c)]))));
    yield `${first ? '' : ','}\n${parts.join(',\n')}`;
    first = false;
  }
  yield '\n]\n';
}
