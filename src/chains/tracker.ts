import { assertCan, assertCanReadChain, isCoordinator, type Principal } from '../auth/access.js';
import { addWorkingDays, isWorkingDay } from '../calendar/workdays.js';
import { describeWindow } from '../capacity/availability.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { STATUS_LABELS, type BookingStatus } from '../bookings/lifecycle.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { addDays, shanghaiDate } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './chains.repo.js';
import { ratingSchema } from './chains.schemas.js';
import type { ChainsDeps } from './context.js';
import { parseIntArray } from './sequencing.js';

export const CHAIN_NUMBER_RE = /^YJS-\d{8}-\d{4,6}$/;

export const STEP_STATE_LABELS = { waiting: '待前序完成', ready: '待排期' } as const;

/** Booking states where a step no longer moves on its own: the coordinator should look. */
const STUCK: ReadonlySet<string> = new Set(['rejected', 'cancelled', 'needs_info']);

export interface StepStage {
  position: number;
  title: string;
  serviceName: string;
  nodeName: string;
  nodeId: number;
  stepId: number;
  stage: string;
  done: boolean;
  bookingNumber: string | null;
  window: string | null;
  expectedStart: string;
  expectedEnd: string;
  /** Past its expected end and not completed. */
  overdue: boolean;
  /** Needs someone: refused, cancelled, waiting for a correction, or ready with no window found. */
  stalled: boolean;
  dependsOn: number[];
  state: string;
  bookingStatus: string | null;
}

/** Next working day on or after a date. */
function workingOnOrAfter(date: string): string {
  let d = date;
  while (!isWorkingDay(d)) d = addDays(d, 1);
  return d;
}

/**
 * Each step's stage and expected dates: a booked step from its window (or the node's due date); a waiting step from
 * its predecessors' expected end, plus the service's turnaround in working days.
 */
export function stagesOf(steps: repo.ChainStepView[], today: string): StepStage[] {
  const ends = new Map<number, string>();
  const out: StepStage[] = [];
  for (const s of steps) {
    const dependsOn = parseIntArray(s.step.dependsOn);
    const after = dependsOn.map((p) => ends.get(p) ?? today).reduce((a, b) => (a > b ? a : b), today);
    const start = s.bookingDate ?? workingOnOrAfter(addDays(after, 1));
    const end = s.dueDate ?? addWorkingDays(start, Math.max(1, s.turnaroundDays));
    ends.set(s.step.position, end);
    const status = s.bookingStatus as BookingStatus | null;
    const done = status === 'completed';
    out.push({
      position: s.step.position,
      title: s.step.title,
      serviceName: s.serviceName,
      nodeName: s.nodeName,
      nodeId: s.step.nodeId,
      stepId: s.step.id,
      stage: status ? STATUS_LABELS[status] : s.step.state === 'ready' ? STEP_STATE_LABELS.ready : STEP_STATE_LABELS.waiting,
      done,
      bookingNumber: s.bookingNumber,
      window: s.bookingDate && s.bookingWindow ? describeWindow(s.bookingDate, s.bookingWindow) : null,
      expectedStart: start,
      expectedEnd: end,
      overdue: !done && !!status && !STUCK.has(status) && end < today,
      stalled: (status !== null && STUCK.has(status)) || s.step.state === 'ready',
      dependsOn,
      state: s.step.state,
      bookingStatus: status,
    });
  }
  return out;
}

export async function loadChain(deps: Pick<ChainsDeps, 'db'>, user: Principal, number: string) {
  if (!CHAIN_NUMBER_RE.test(number)) throw new NotFoundError('该一件事申请不存在，或您无权查看。');
  const found = await repo.findChain(deps.db, number);
  if (!found) throw new NotFoundError('该一件事申请不存在，或您无权查看。');
  assertCanReadChain(user, found.chain);
  return found;
}

/** The tracker: every step's stage and expected dates, the combined documents, the rating. */
export async function trackChain(deps: ChainsDeps, user: Principal, number: string) {
  const found = await loadChain(deps, user, number);
  const views = await repo.stepsOfChain(deps.db, [found.chain.id]);
  const today = shanghaiDate(deps.clock.now());
  const stages = stagesOf(views, today);
  const bookingIds = views.map((v) => v.step.bookingId).filter((id): id is number => id !== null);
  const reports = await repo.reportsOfBookings(deps.db, bookingIds);
  const numberOf = new Map(views.map((v) => [v.step.bookingId, { number: v.bookingNumber, position: v.step.position, title: v.step.title }]));
  const documents = reports.map((r) => ({ ...r, booking: numberOf.get(r.bookingId)! }));
  const isOwner = user.role === 'enterprise' && user.enterpriseId === found.chain.enterpriseId;
  return {
    ...found,
    stages,
    documents,
    expectedEnd: stages.map((s) => s.expectedEnd).reduce((a, b) => (a > b ? a : b), today),
    canRate: isOwner && found.chain.status === 'completed' && found.chain.ratingLevel === null,
    coordinator: isCoordinator(user),
  };
}

/** One 好差评 for the whole chain, once, after every step is completed. */
export async function rateChain(deps: ChainsDeps, user: Principal, number: string, input: unknown): Promise<void> {
  assertCan(user, 'chain.create');
  const found = await loadChain(deps, user, number);
  const v = parseInput(ratingSchema, input);
  if (found.chain.status !== 'completed') throw new ConflictError('全部环节办结后才能评价。');
  await inTransaction(deps.db, async (tx) => {
    const locked = await repo.lockChain(tx, found.chain.id);
    if (!locked || locked.ratingLevel !== null) throw new ConflictError('该一件事已评价过。');
    await repo.updateChain(tx, found.chain.id, { ratingLevel: v.level, ratingComment: v.comment || null, ratedAt: deps.clock.now() });
    await recordEvent(tx, { actorUserId: user.id, entityType: 'chain', entityId: found.chain.id, action: 'chain.rated', data: { level: v.level } });
  });
}

/** Chains in the reader's scope: a company's own, a park's, all for the platform or a coordinator. */
export async function listChainsFor(deps: ChainsDeps, user: Principal, opts: { openOnly?: boolean } = {}) {
  if (!isCoordinator(user)) assertCan(user, 'chain.read');
  const scope = user.role === 'enterprise' ? { enterpriseId: user.enterpriseId } : user.role === 'park_admin' ? { parkId: user.parkId } : {};
  const rows = await repo.listChains(deps.db, { ...scope, ...(opts.openOnly ? { openOnly: true } : {}) });
  const steps = await repo.stepsOfChain(deps.db, rows.map((r) => r.chain.id));
  const today = shanghaiDate(deps.clock.now());
  return rows.map((r) => {
    const stages = stagesOf(steps.filter((s) => s.step.chainId === r.chain.id), today);
    return { ...r, stages, done: stages.filter((s) => s.done).length, stalled: stages.filter((s) => s.stalled), overdue: stages.filter((s) => s.overdue) };
  });
}
