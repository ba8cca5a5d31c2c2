// A cell of the CSV files Lanyard writes (exports of links, calls, the audit log, charts): quoted
// when it holds a comma, quote or line break; a value a spreadsheet would run as a formula gets a
// leading apostrophe, as the upload export does. PostgreSQL's lanyard_csv_cell (migration 0024)
// is the same rule, for the lines the database writes itself.
export function csvCell(v: string | null | undefined): string {
  if (!v) return '';
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) || text !== v ? `"${text.replaceAll('"', '""')}"` : text;
}
