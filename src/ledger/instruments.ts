import { assertCan, type Principal } from '../auth/access.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import type { LedgerCategory } from './categories.js';
import { todayOf, type LedgerDeps } from './context.js';
import { changedFields, checkEntry, type EntryValues } from './entry.js';
import * as repo from './ledger.repo.js';
import { instrumentHref } from './ledger.view.js';

export type Categories = () => Promise<Map<string, LedgerCategory>>;

/** "Already in the ledger": refused with a link to the existing entry. */
export function duplicateError(existingId: number, serialNo: string): ConflictError {
  return new ConflictError(`台账中已有同类别、出厂编号为“${serialNo}”的器具，不能重复登记。`, 'duplicate_instrument', { existingId, href: instrumentHref(existingId) });
}

async function assertNoDuplicate(deps: LedgerDeps, enterpriseId: number, v: EntryValues, exceptId?: number) {
  const same = (await repo.entriesByKeys(deps.db, enterpriseId, [v])).find((e) => e.categoryCode === v.categoryCode && e.serialKey === v.serialKey && e.id !== exceptId);
  if (same) throw duplicateError(same.id, same.serialNo);
}

/** A unique violation raced past the check above (two colleagues saving the same serial at once). */
async function raceToDuplicate(deps: LedgerDeps, err: unknown, enterpriseId: number, v: EntryValues): Promise<never> {
  if (pgErrorCode(err) === UNIQUE_VIOLATION && pgConstraint(err) === 'instruments_serial_uq') await assertNoDuplicate(deps, enterpriseId, v);
  throw err;
}

/** The entry of the user's company, or 404 (another company's entry does not exist for them). */
export async function loadEntry(deps: LedgerDeps, user: Principal, id: number) {
  assertCan(user, 'ledger.manage');
  const found = await repo.findInstrument(deps.db, id);
  if (!found) throw new NotFoundError('该器具不存在，或不属于本企业。');
  assertCan(user, 'ledger.manage', { enterpriseId: found.instrument.enterpriseId });
  return { ...found, user };
}

export async function createEntry(deps: LedgerDeps, categories: Categories, user: Principal, input: unknown): Promise<number> {
  assertCan(user, 'ledger.manage');
  const v = checkEntry(input, await categories(), todayOf(deps));
  await assertNoDuplicate(deps, user.enterpriseId, v);
  try {
    return await inTransaction(deps.db, async (tx) => {
      const row = await repo.insertInstrument(tx, { ...v, enterpriseId: user.enterpriseId, createdBy: user.id, updatedBy: user.id });
      await recordEvent(tx, { actorUserId: user.id, entityType: 'instrument', entityId: row.id, action: 'instrument.created', note: `${v.name}（${v.serialNo}）`, data: { after: v } });
      return row.id;
    });
  } catch (err) {
    return raceToDuplicate(deps, err, user.enterpriseId, v);
  }
}

export async function updateEntry(deps: LedgerDeps, categories: Categories, user: Principal, id: number, input: unknown): Promise<void> {
  const { instrument: current, user: owner } = await loadEntry(deps, user, id);
  const v = checkEntry(input, await categories(), todayOf(deps));
  // A due date the certificate gave stays the certificate's while the user leaves it as it is.
  if (current.dueSource === 'certificate' && v.nextDueDate === current.nextDueDate) v.dueSource = 'certificate';
  // A certificate number typed over is no longer the platform's certificate.
  const keepsCertificate = v.certificateNo === current.certificateNo;
  await assertNoDuplicate(deps, owner.enterpriseId, v, id);
  try {
    await inTransaction(deps.db, async (tx) => {
      const before = await repo.lockInstrument(tx, id);
      if (!before) throw new NotFoundError('该器具不存在，或不属于本企业。');
      const changes = changedFields(before, v);
      if (Object.keys(changes).length === 0) return;
      await repo.updateInstrument(tx, id, { ...v, updatedBy: user.id, ...(keepsCertificate ? {} : { reportBookingId: null, reportVersion: null }) });
      await recordEvent(tx, { actorUserId: user.id, entityType: 'instrument', entityId: id, action: 'instrument.updated', note: `${v.name}（${v.serialNo}）`, data: { changes } });
    });
  } catch (err) {
    await raceToDuplicate(deps, err, owner.enterpriseId, v);
  }
}

/** Removes an entry made by mistake; its history stays in the audit log. (An instrument no longer used is 报废, not deleted.) */
export async function deleteEntry(deps: LedgerDeps, user: Principal, id: number): Promise<string> {
  const { instrument } = await loadEntry(deps, user, id);
  await inTransaction(deps.db, async (tx) => {
    const before = await repo.lockInstrument(tx, id);
    if (!before) throw new NotFoundError('该器具不存在，或不属于本企业。');
    await repo.deleteInstrument(tx, id);
    await recordEvent(tx, { actorUserId: user.id, entityType: 'instrument', entityId: id, action: 'instrument.deleted', note: `${before.name}（${before.serialNo}）`, data: { before } });
  });
  return `${instrument.name}（${instrument.serialNo}）`;
}
