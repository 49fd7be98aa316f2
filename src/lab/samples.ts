import type { BookingView, itemsOf } from '../bookings/bookings.repo.js';
import type { Executor } from '../db/client.js';
import { ValidationError } from '../shared/errors.js';
import * as repo from './lab.repo.js';
import { describeLimit } from './judgement.js';
import { limitFor } from './limits.js';
import { metrologyBasis } from '../catalog/metrology-basis.js';
import { standardsInService } from '../standards/standards.repo.js';
import { isPeriodVerified, maxUseLimit } from '../ledger/rules.js';
import { parseCalibrationResults, parseConsultationRecord, parseOilResults, type OilSampleForResults, type ParsedResults, type VerificationPeriod } from './results.js';

type BookingItem = Awaited<ReturnType<typeof itemsOf>>[number];

/**
 * What the oil results form needs: per sample the selected test items, each with the limit that judges it (the grade's,
 * for the booked edition and chosen quality, and the statutory sulphur limit) — two queries for every sample.
 */
export async function oilSamples(ex: Executor, items: BookingItem[]): Promise<OilSampleForResults[]> {
  const grades = [...new Set(items.map((i) => i.gradeCode).filter((g): g is string => !!g))];
  const editions = [...new Set(items.map((i) => i.specEdition).filter((e): e is string => !!e))];
  const [testItems, limits] = await Promise.all([repo.oilItemsByCodes(ex, [...new Set(items.flatMap((i) => i.testItemCodes ?? []))]), repo.limitsOf(ex, grades, editions)]);
  return items.map((item) => {
    const wanted = new Set(item.testItemCodes ?? []);
    const spec = { gradeCode: item.gradeCode ?? '', edition: item.specEdition, variant: item.gradeVariant, sulphurRequirement: item.sulphurRequirement };
    return {
      id: item.id,
      sampleName: item.sampleName,
      gradeCode: item.gradeCode!,
      gradeName: item.gradeName,
      labelCode: item.labelCode,
      items: testItems
        .filter((t) => wanted.has(t.code))
        .map((t) => {
          const limit = limitFor(limits, t.code, spec);
          // as the report will print it (the standard's digits), without the unit the form shows beside it
          return { ...t, limit: limit ?? null, limitText: limit ? describeLimit(limit) : '无限值' };
        }),
    };
  });
}

/**
 * The period a 检定证书's validity may not exceed, for categories whose period was checked against the regulation
 * (a limited-life meter's use limit counts as its period: a first verification is valid for its life).
 */
export function verificationPeriodOf(c: { categoryCode: string | null; categoryName: string | null; periodMonths: number | null; regulations: string[] | null }): VerificationPeriod | undefined {
  if (!c.categoryCode || !c.periodMonths || !isPeriodVerified(c.categoryCode)) return undefined;
  const regulation = metrologyBasis(c.regulations ?? []).regulations[0];
  if (!regulation) return undefined;
  return { months: Math.max(c.periodMonths, maxUseLimit(c.categoryCode) ?? 0), regulation, categoryName: c.categoryName ?? '' };
}

/** The results form of a booking, parsed by its kind; every problem is a field message. */
export async function parseResultsOf(ex: Executor, booking: Pick<BookingView, 'id' | 'kind' | 'serviceId' | 'nodeId'>, items: BookingItem[], body: Record<string, unknown>, today: string): Promise<ParsedResults> {
  if (booking.kind === 'oil_test') return parseOilResults(body, await oilSamples(ex, items));
  if (booking.kind === 'calibration') {
    const [basis, standards] = await Promise.all([repo.calibrationBasisOfService(ex, booking.serviceId), standardsInService(ex, booking.nodeId)]);
    const parsed = parseCalibrationResults(body, items, today, basis.standards, verificationPeriodOf(basis), { standards, categoryCode: basis.categoryCode });
    // … and no other booking's certificate carries it (a revision of this booking keeps its own numbers)
    const taken = await repo.certificateNumbersOfOtherBookings(ex, booking.id, parsed.rows.map((r) => r.certificateNo!).filter(Boolean));
    const clashes = Object.fromEntries(parsed.rows.filter((r) => taken.has(r.certificateNo!.toUpperCase())).map((r) => [`cal.${r.bookingItemId}.certificateNo`, `证书编号 ${r.certificateNo} 已用于本平台的另一份证书：每份证书的编号应唯一`]));
    if (Object.keys(clashes).length) throw new ValidationError(clashes, '有结果需要修改，请按提示核对。');
    return parsed;
  }
  return parseConsultationRecord(body);
}
