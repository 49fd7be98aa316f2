import type { Principal } from '../auth/access.js';
import { TtlCache } from '../shared/cache.js';
import type { UploadedFile } from '../uploads/purposes.js';
import { createFeed, feedStatus, renderFeed, revokeFeed } from './calendar-feed.js';
import { ledgerCategories, type LedgerCategory } from './categories.js';
import { complianceExport, complianceReport, companyDrillDown } from './compliance.js';
import type { LedgerDeps } from './context.js';
import { editValues, entryDetail } from './detail.js';
import { confirmImport, draftFor, importPreview, pendingImports, previewImport, previewImportRows, sweepStaleImports } from './import.js';
import { createEntry, deleteEntry, loadEntry, updateEntry } from './instruments.js';
import { ledgerExport, ledgerPage, type LedgerQuery } from './listing.js';
import { bookFromLedger } from './one-click-submit.js';
import { bookingLine, proposal, selectedEntries } from './one-click.js';
import { runReminderJob } from './reminders.js';
import { ledgerSettingsPage, saveLedgerSettings } from './settings.js';
import { buildTemplate } from './workbook.js';
import { assertCan } from '../auth/access.js';
import { todayOf } from './context.js';
import { listInstruments } from './ledger.repo.js';
import { dueState } from './ledger.view.js';

export type { LedgerDeps } from './context.js';

/**
 * The instrument ledger's face (计量器具台账): entries, import, certificates, reminders, one-click booking, the
 * calendar feed and compliance figures — each use case in its own module, bound to the feature's dependencies here.
 */
export function makeLedgerService(deps: LedgerDeps) {
  const cache = new TtlCache<Map<string, LedgerCategory>>(60_000);
  const categories = () => cache.get('categories', () => ledgerCategories(deps.db));
  return {
    categories: async () => [...(await categories()).values()],
    page: (user: Principal, query: LedgerQuery) => ledgerPage(deps, categories, user, query),
    exportTable: (user: Principal, query: LedgerQuery) => ledgerExport({ ...deps, db: deps.readDb ?? deps.db }, user, query),
    detail: (user: Principal, id: number) => entryDetail(deps, categories, user, id),
    editValues: async (user: Principal, id: number) => editValues((await loadEntry(deps, user, id)).instrument),
    create: (user: Principal, input: unknown) => createEntry(deps, categories, user, input),
    update: (user: Principal, id: number, input: unknown) => updateEntry(deps, categories, user, id, input),
    remove: (user: Principal, id: number) => deleteEntry(deps, user, id),
    template: async (user: Principal) => {
      assertCan(user, 'ledger.manage');
      return buildTemplate([...(await categories()).values()]);
    },
    previewImport: (user: Principal, files: UploadedFile[]) => previewImport(deps, categories, user, files),
    importPreview: (user: Principal, token: string) => importPreview(deps, user, token),
    /** The open API: rows as JSON (same checks and preview as a file), and a preview with all its rows. */
    previewImportRows: (user: Principal, input: unknown) => previewImportRows(deps, categories, user, input),
    importDraft: (user: Principal, token: string) => draftFor(deps, user, token),
    pendingImports: (user: Principal) => pendingImports(deps, user),
    confirmImport: (user: Principal, token: string) => confirmImport(deps, user, token),
    /** Booking lines for the booking form, from entries picked on the ledger (only the user's company's). */
    prefillRows: async (user: Principal, ids: number[]) => {
      assertCan(user, 'ledger.manage');
      return (await selectedEntries(deps, user, ids)).map(bookingLine);
    },
    /** The company's entries of a category, for "从台账选择" on the booking form (each with its booking line). */
    picks: async (user: Principal, categoryCode: string) => {
      if (user.role !== 'enterprise') return [];
      const today = todayOf(deps);
      const rows = await listInstruments(deps.db, { enterpriseId: user.enterpriseId, today, categoryCode }, 'due', { limit: 200, offset: 0 });
      return rows.filter((r) => r.status !== 'scrapped').map((r) => ({ id: r.id, name: r.name, serialNo: r.serialNo, department: r.department, nextDueDate: r.nextDueDate, due: dueState(r, today), line: bookingLine(r) }));
    },
    proposal: (user: Principal, query: { ids: number[]; nodes: Record<string, number> }) => proposal(deps, user, query),
    book: (user: Principal, body: Record<string, unknown>) => bookFromLedger(deps, user, body),
    settings: (user: Principal) => ledgerSettingsPage(deps, user),
    saveSettings: (user: Principal, input: unknown) => saveLedgerSettings(deps, user, input),
    feedStatus: (user: Principal) => feedStatus(deps, user),
    createFeed: (user: Principal) => createFeed(deps, user),
    revokeFeed: (user: Principal) => revokeFeed(deps, user),
    renderFeed: (file: string) => renderFeed(deps, file),
    compliance: (user: Principal, query: { park?: string; page: number }) => complianceReport(deps, user, query),
    complianceExport: (user: Principal, key: string, query: { park?: string }) => complianceExport(deps, user, key, query),
    complianceCompany: (user: Principal, enterpriseId: number) => companyDrillDown(deps, user, enterpriseId),
    /** The daily job (reminders, and stale import previews swept); once per day whatever the number of processes. */
    runDailyJob: async (day: string, opts: { force?: boolean } = {}) => {
      const result = await runReminderJob(deps, day, opts);
      if (result.ran) await sweepStaleImports(deps);
      return result;
    },
  };
}

export type LedgerService = ReturnType<typeof makeLedgerService>;
