// Waits for something the platform does in the background (a worker's write, a mail): checks
// every 50 ms, fails naming what never happened.
export async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  ms = 10_000,
): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never within ${ms} ms: ${what}`);
}

/** Waits until the item with this source key is in ORCID (written by the worker). */
export const untilWritten = (
  pool: { query(sql: string, params: unknown[]): Promise<{ rowCount: number | null }> },
  sourceKey: string,
) =>
  until(
    async () =>
      ((await pool.query(`select 1 from items where source_key = $1 and status = 'in_orcid'`, [sourceKey]))
        .rowCount ?? 0) > 0,
    `${sourceKey} written to ORCID`,
  );
