import type { Executor } from '../db/client.js';
import { instrumentCategoriesList } from './ledger.repo.js';
import { compulsoryUsesOf, isPeriodVerified, REGIME_OPTIONS, type CompulsoryUse, type RegimeOption } from './rules.js';

/** An instrument category as the ledger uses it: its 强检 uses, the legal regimes, its default period and whether that was verified. */
export interface LedgerCategory {
  code: string;
  name: string;
  discipline: string;
  regulations: string[];
  uses: CompulsoryUse[];
  regimeOptions: RegimeOption[];
  /** Default verification period in months (a reminder default, labelled 参考 unless verified). */
  periodMonths: number | null;
  periodVerified: boolean;
}

export async function ledgerCategories(ex: Executor): Promise<Map<string, LedgerCategory>> {
  const rows = await instrumentCategoriesList(ex);
  return new Map(
    rows.map((c) => [
      c.code,
      {
        code: c.code,
        name: c.name,
        discipline: c.discipline,
        regulations: c.regulations,
        uses: compulsoryUsesOf(c),
        regimeOptions: REGIME_OPTIONS[c.code] ?? [],
        periodMonths: c.periodMonths,
        periodVerified: isPeriodVerified(c.code),
      },
    ]),
  );
}
