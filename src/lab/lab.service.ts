import type { Principal } from '../auth/access.js';
import { isTransitionAction, type TransitionAction } from '../bookings/lifecycle.js';
import { loadBookingFor } from '../bookings/load.js';
import { applyTransition, type SystemActor } from '../bookings/transition.js';
import { inTransaction } from '../db/tx.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../shared/errors.js';
import type { UploadedFile } from '../uploads/purposes.js';
import type { LabDeps } from './context.js';
import * as repo from './lab.repo.js';
import { nodeQueue, type QueueQuery } from './queue.js';
import { REPORT_ACTIONS, reportAction, type ReportAction } from './report-actions.js';
import { accept, STEPS, type StepInput } from './steps.js';
import { adjustFee, issueInvoice, recordPayment } from '../fees/booking-fee.js';
import { workbench } from './workbench.js';

export type { LabDeps } from './context.js';

/** The money side of a booking at the node: adjust the confirmed fee, record the payment, record the issued invoice. */
export const FEE_ACTIONS = ['adjust_fee', 'record_payment', 'issue_invoice'] as const;
export type FeeAction = (typeof FEE_ACTIONS)[number];
const isFeeAction = (value: string): value is FeeAction => (FEE_ACTIONS as readonly string[]).includes(value);

export type LabAction = TransitionAction | ReportAction | FeeAction;

export function isLabAction(value: string): value is LabAction {
  return isTransitionAction(value) || (REPORT_ACTIONS as readonly string[]).includes(value) || isFeeAction(value);
}

const FEE_STEPS: Record<FeeAction, (deps: LabDeps, input: StepInput) => Promise<unknown>> = {
  adjust_fee: (deps, { booking, user, body }) => adjustFee(deps, booking, user, body),
  record_payment: (deps, { booking, user, body }) => recordPayment(deps, booking, user, body),
  issue_invoice: (deps, { booking, user, body }) => issueInvoice(deps, booking, user, body),
};

/** Accepts several submitted bookings: each in its own transaction, so one refusal does not undo the others. */
async function bulkAccept(deps: LabDeps, user: Principal, numbers: string[]) {
  const done: string[] = [];
  const failed: { number: string; reason: string }[] = [];
  for (const number of [...new Set(numbers)].slice(0, 100)) {
    try {
      const { booking, user: staff } = await loadBookingFor(deps.db, user, number, 'booking.work');
      await accept(deps, { booking, user: staff });
      done.push(number);
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof ConflictError || err instanceof ForbiddenError) failed.push({ number, reason: err.message });
      else throw err;
    }
  }
  return { done, failed };
}

/** Reported bookings the company has not confirmed within AUTO_COMPLETE_DAYS complete on their own. */
async function autoComplete(deps: LabDeps): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - deps.autoCompleteDays * 86_400_000);
  const due = await repo.reportedBefore(deps.db, cutoff);
  const system: SystemActor = { id: null, role: 'system', name: '系统' };
  for (const b of due) {
    await inTransaction(deps.db, (tx) =>
      applyTransition(tx, b.id, 'complete', system, { note: `出具报告 ${deps.autoCompleteDays} 天后自动办结`, message: `预约 ${b.number} 已自动办结。欢迎对本次服务进行评价。` }),
    );
  }
  if (due.length > 0) await deps.onCompleted?.();
  return due.length;
}

/** The lab feature's face: the queue, the workbench, and every step on a booking (one module each). */
export function makeLabService(deps: LabDeps) {
  return {
    queue: (user: Principal, query: QueueQuery) => nodeQueue(deps, user, query),
    workbench: (user: Principal, number: string) => workbench(deps, user, number),
    /** POST /lab/bookings/:no/:action */
    async act(user: Principal, number: string, action: LabAction, body: Record<string, unknown>, files: UploadedFile[]) {
      const { booking, user: staff } = await loadBookingFor(deps.db, user, number, 'booking.work');
      const input = { booking, user: staff, body, files };
      if (isTransitionAction(action)) return STEPS[action](deps, input);
      if (isFeeAction(action)) return FEE_STEPS[action](deps, input);
      return reportAction(deps, action, input);
    },
    bulkAccept: (user: Principal, numbers: string[]) => bulkAccept(deps, user, numbers),
    autoComplete: () => autoComplete(deps),
  };
}

export type LabService = ReturnType<typeof makeLabService>;
