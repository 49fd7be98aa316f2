import { assertCan, type Principal } from '../auth/access.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { ValidationError } from '../shared/errors.js';
import * as attachmentsRepo from '../uploads/attachments.repo.js';
import type { UploadedFile } from '../uploads/purposes.js';
import * as repo from './bookings.repo.js';
import type { BookingsDeps } from './context.js';
import { insertPreparedBooking } from './create.js';
import { checkFiles, keepAsDrafts, keepDrafts, refusedWithFiles, storeFiles, withStoredFiles } from './files.js';
import { formContextChecked } from './form.js';
import { prepareChecked } from './prepare.js';
import { refusedSubmit } from './submit.js';

/**
 * Booking at the walk-in window: staff with the window duty enter the company's booking through the same checks,
 * capacity take, numbering, files and idempotency as the company's own form (prepareChecked → insertPreparedBooking);
 * only who booked differs — channel 'window', the staff member as creator, the case that names the visitor.
 */
export interface WindowCaseRef {
  id: number;
  nodeId: number;
  enterpriseId: number;
  enterpriseName: string;
  parkId: number | null;
  /** The city centre's window books at any node; a station's window only at its own. */
  anyNode: boolean;
}

export const NODE_NOT_OFFERED = '本窗口只能受理本网点提供的服务，请选择本网点。';

const allowed = (c: WindowCaseRef) => (nodeId: number) => c.anyNode || nodeId === c.nodeId;

function assertWindow(staff: Principal, c: WindowCaseRef): void {
  assertCan(staff, 'window.operate', { nodeId: c.nodeId });
}

function assertNode(c: WindowCaseRef, body: Record<string, unknown>): void {
  const nodeId = typeof body.node === 'string' && /^\d{1,9}$/.test(body.node) ? Number(body.node) : NaN;
  if (!allowed(c)(nodeId)) throw new ValidationError({ node: NODE_NOT_OFFERED });
}

export function windowFormContext(deps: BookingsDeps, staff: Principal, c: WindowCaseRef, serviceCode: string, nodeId: number | undefined, from?: string) {
  assertWindow(staff, c);
  return formContextChecked(deps, serviceCode, nodeId, from, allowed(c));
}

const owner = (staff: Principal, c: WindowCaseRef) => ({ userId: staff.id, enterpriseId: c.enterpriseId });

/** Files chosen before a refusal stay with the form (drafts of the staff member), as on the company's own form. */
async function keepingFiles<T>(deps: BookingsDeps, staff: Principal, c: WindowCaseRef, body: Record<string, unknown>, files: UploadedFile[], step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof ValidationError) return refusedWithFiles(err, () => keepAsDrafts(deps, owner(staff, c), body.idempotencyKey, files));
    throw err;
  }
}

export function reviewOnBehalf(deps: BookingsDeps, staff: Principal, c: WindowCaseRef, body: Record<string, unknown>, files: UploadedFile[]) {
  assertWindow(staff, c);
  return keepingFiles(deps, staff, c, body, files, async () => {
    assertNode(c, body);
    const prepared = await prepareChecked(deps, body);
    const drafts = await attachmentsRepo.draftsOf(deps.db, staff.id, prepared.idempotencyKey);
    await keepDrafts(deps, owner(staff, c), prepared.idempotencyKey, await checkFiles(files, drafts.length));
    return { prepared, drafts: await attachmentsRepo.draftsOf(deps.db, staff.id, prepared.idempotencyKey) };
  });
}

export function keepFilesOnBehalf(deps: BookingsDeps, staff: Principal, c: WindowCaseRef, body: Record<string, unknown>, files: UploadedFile[]) {
  assertWindow(staff, c);
  return keepAsDrafts(deps, owner(staff, c), body.idempotencyKey, files);
}

/** Submits on the company's behalf; the audit event names the staff member, the company and the case. */
export function submitOnBehalf(deps: BookingsDeps, staff: Principal, c: WindowCaseRef, body: Record<string, unknown>, files: UploadedFile[]): Promise<{ number: string; duplicate: boolean }> {
  assertWindow(staff, c);
  return keepingFiles(deps, staff, c, body, files, async () => {
    assertNode(c, body);
    const key = typeof body.idempotencyKey === 'string' ? body.idempotencyKey : '';
    const existing = key ? await repo.findNumberByIdempotencyKey(deps.db, c.enterpriseId, key) : undefined;
    if (existing) return { number: existing, duplicate: true };
    const p = await prepareChecked(deps, body);
    const drafts = await attachmentsRepo.draftsOf(deps.db, staff.id, p.idempotencyKey);
    const newFiles = await storeFiles(deps, await checkFiles(files, drafts.length), owner(staff, c), { bookingId: null, draftToken: null });
    try {
      const { number } = await withStoredFiles(deps, newFiles, () =>
        inTransaction(deps.db, async (tx) => {
          const booking = await insertPreparedBooking(
            tx,
            deps.clock,
            p,
            { enterpriseId: c.enterpriseId, parkId: c.parkId, createdBy: staff.id, channel: 'window', windowCaseId: c.id },
            { drafts: { ownerUserId: staff.id, key: p.idempotencyKey, count: drafts.length }, attachments: newFiles },
          );
          await recordEvent(tx, {
            actorUserId: staff.id,
            entityType: 'enterprise',
            entityId: c.enterpriseId,
            action: 'window.booking_entered',
            note: `${staff.name}在线下窗口代${c.enterpriseName}提交预约 ${booking.number}`,
            data: { staffUserId: staff.id, staffName: staff.name, enterpriseId: c.enterpriseId, enterpriseName: c.enterpriseName, windowCaseId: c.id, bookingId: booking.id, number: booking.number },
          });
          return booking;
        }),
      );
      return { number, duplicate: false };
    } catch (err) {
      return refusedSubmit(deps, err, p, c.enterpriseId);
    }
  });
}
