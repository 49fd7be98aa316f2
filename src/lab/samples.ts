import type { BookingView, itemsOf } from '../bookings/bookings.repo.js';
import type { Executor } from '../db/client.js';
import * as repo from './lab.repo.js';
import { parseCalibrationResults, parseConsultationRecord, parseOilResults, type OilSampleForResults, type ParsedResults } from './results.js';

type BookingItem = Awaited<ReturnType<typeof itemsOf>>[number];

/**
 * What the oil results form needs: per sample the selected test items with the grade's limits — read for every
 * sample of the booking in one query.
 */
export async function oilSamples(ex: Executor, items: BookingItem[]): Promise<OilSampleForResults[]> {
  const grades = [...new Set(items.map((i) => i.gradeCode).filter((g): g is string => !!g))];
  const codes = [...new Set(items.flatMap((i) => i.testItemCodes ?? []))];
  const rows = await repo.itemsWithLimits(ex, grades, codes);
  return items.map((item) => {
    const wanted = new Set(item.testItemCodes ?? []);
    const byCode = new Map<string, (typeof rows)[number]>();
    for (const row of rows) {
      if (!wanted.has(row.code)) continue;
      // the grade's own limit wins over a row that carries no limit (or another grade's)
      if (row.gradeCode === item.gradeCode || !byCode.has(row.code)) byCode.set(row.code, row);
    }
    return {
      id: item.id,
      sampleName: item.sampleName,
      gradeCode: item.gradeCode!,
      labelCode: item.labelCode,
      items: [...byCode.values()].map(({ gradeCode, ...i }) => ({ ...i, limit: gradeCode === item.gradeCode && i.limit?.kind ? i.limit : null })),
    };
  });
}

/** The results form of a booking, parsed by its kind; every problem is a field message. */
export async function parseResultsOf(ex: Executor, booking: Pick<BookingView, 'kind'>, items: BookingItem[], body: Record<string, unknown>, today: string): Promise<ParsedResults> {
  if (booking.kind === 'oil_test') return parseOilResults(body, await oilSamples(ex, items));
  if (booking.kind === 'calibration') return parseCalibrationResults(body, items, today);
  return parseConsultationRecord(body);
}
