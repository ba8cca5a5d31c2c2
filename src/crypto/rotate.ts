// Re-sealing every sealed value under the key ring's current key. Each row is replaced in its
// own statement, guarded by its old value, so the work can stop at any moment (signal, crash)
// and a later run resumes with what is left: a value is always readable, old or new.
import type { KeyRing } from './key-ring.js';
import { open, type SealContext, seal, sealedKeyId } from './seal.js';

export interface SealedColumn {
  table: string;
  column: string;
}

export interface SealedRow {
  id: string;
  value: string;
}

/** Storage of sealed values, implemented over the database. */
export interface SealedValueStore {
  columns(): readonly SealedColumn[];
  /** Rows of a column whose value is not sealed with `keyId`, ids after `afterId`, in id order. */
  notSealedWith(
    column: SealedColumn,
    keyId: string,
    afterId: string | null,
    limit: number,
  ): Promise<SealedRow[]>;
  /** Replaces the value if it still equals `expected`; false when someone changed it meanwhile. */
  replace(column: SealedColumn, id: string, expected: string, next: string): Promise<boolean>;
}

export interface RotationProgress {
  resealed: number;
  remaining: boolean;
}

export async function resealAll(
  ring: KeyRing,
  store: SealedValueStore,
  options: {
    signal?: AbortSignal;
    batch?: number;
    onProgress?: (column: SealedColumn, resealed: number) => void;
  } = {},
): Promise<RotationProgress> {
  const keyId = ring.current.id;
  let resealed = 0;
  for (const column of store.columns()) {
    let after: string | null = null;
    for (;;) {
      const rows = await store.notSealedWith(column, keyId, after, options.batch ?? 100);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (options.signal?.aborted) return { resealed, remaining: true };
        const context: SealContext = { table: column.table, column: column.column, row: row.id };
        if (sealedKeyId(row.value) === keyId) continue;
        const next = seal(ring, open(ring, row.value, context), context);
        if (await store.replace(column, row.id, row.value, next)) resealed++;
        after = row.id;
      }
      options.onProgress?.(column, resealed);
    }
  }
  return { resealed, remaining: false };
}
