/*
 * Small-cell suppression: open data never publishes a number small enough to point at one company. A count from 1 to
 * 4 is withheld; so is every figure computed over fewer than 5 records (a rate, an average, hours of use). Zero is
 * published (it identifies nobody). A withheld cell is null in JSON (listed in the row's `suppressed`) and "<5" in CSV
 * and on the page. Tables carry no totals from which a withheld cell could be recovered.
 */

export const MIN_CELL = 5;

export type FieldKind = 'dimension' | 'count' | 'measure';

export interface SuppressibleField {
  key: string;
  kind: FieldKind;
  /** For a measure: the count field it is computed over (suppressed when that count is below MIN_CELL). */
  basis?: string;
}

export type Cell = string | number | null;
export type Row = Record<string, Cell>;
export interface PublishedRow {
  values: Row;
  /** Keys of the cells withheld in this row. */
  suppressed: string[];
}

const small = (v: Cell) => typeof v === 'number' && v > 0 && v < MIN_CELL;

/** Withholds small counts and figures over small counts, row by row. */
export function suppress(rows: Row[], fields: readonly SuppressibleField[]): PublishedRow[] {
  return rows.map((row) => {
    const values: Row = { ...row };
    const suppressed: string[] = [];
    for (const f of fields) {
      if (f.kind === 'count' && small(row[f.key] ?? null)) suppressed.push(f.key);
      // A figure over no records is published as it is (a sum of 0, or no rate at all); over 1–4 it is withheld.
      if (f.kind === 'measure' && f.basis !== undefined && small(row[f.basis] ?? null) && row[f.key] !== null && row[f.key] !== undefined) suppressed.push(f.key);
    }
    for (const key of suppressed) values[key] = null;
    return { values, suppressed };
  });
}
