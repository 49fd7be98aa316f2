import type { Principal } from '../auth/access.js';
import type { LedgerCategory } from './categories.js';
import { todayOf, type LedgerDeps } from './context.js';
import { loadEntry } from './instruments.js';
import * as repo from './ledger.repo.js';
import { dueState, dueText } from './ledger.view.js';

/** One entry's page: the entry, its category's rules, its certificate, bookings under way, and its history. */
export async function entryDetail(deps: LedgerDeps, categories: () => Promise<Map<string, LedgerCategory>>, user: Principal, id: number) {
  const found = await loadEntry(deps, user, id);
  const { instrument } = found;
  const today = todayOf(deps);
  const [history, cats, open] = await Promise.all([
    repo.historyOf(deps.db, id),
    categories(),
    repo.openBookingsOfSerials(deps.db, instrument.enterpriseId, [instrument.serialNo]),
  ]);
  const category = cats.get(instrument.categoryCode)!;
  return {
    instrument,
    category,
    certificate: found.bookingNumber && instrument.reportVersion ? { bookingNumber: found.bookingNumber, version: instrument.reportVersion, reportNumber: found.reportNumber, status: found.reportStatus, verifyToken: found.verifyToken } : undefined,
    /** The period reminders count with: the entry's own, or the category's default (参考 unless verified). */
    period: instrument.periodMonths ? { months: instrument.periodMonths, own: true, verified: true } : category.periodMonths ? { months: category.periodMonths, own: false, verified: category.periodVerified } : undefined,
    due: dueState(instrument, today),
    dueText: dueText(instrument.nextDueDate, today),
    openBookings: open.filter((b) => b.categoryCode === instrument.categoryCode),
    history,
    categoryNames: Object.fromEntries([...cats.values()].map((c) => [c.code, c.name])),
    today,
  };
}

/** The form's values for editing an entry: a computed due date is left empty (it is computed again on save). */
export function editValues(e: repo.InstrumentRow): Record<string, unknown> {
  return {
    ...e,
    compulsory: e.compulsory ? 'yes' : 'no',
    compulsoryUse: e.compulsoryUse ?? '',
    periodMonths: e.periodMonths ?? '',
    lastCalibrationDate: e.lastCalibrationDate ?? '',
    certificateNo: e.certificateNo ?? '',
    conclusion: e.conclusion ?? '',
    nextDueDate: e.dueSource === 'manual' || e.dueSource === 'certificate' ? (e.nextDueDate ?? '') : '',
  };
}
