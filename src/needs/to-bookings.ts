import type { Principal } from '../auth/access.js';
import { insertPreparedBooking, WindowTakenMeanwhile } from '../bookings/create.js';
import { chainFormSchema } from '../chains/chains.schemas.js';
import { decideSteps, planSteps, stepWindowFull, StepWindowTaken, type BundleStep } from '../chains/file.js';
import { inTransaction } from '../db/tx.js';
import { findEnterpriseById } from '../enterprises/enterprises.repo.js';
import { recordEvent } from '../events/record.js';
import { ConflictError, ForbiddenError, ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import { loadNeed, type NeedsDeps } from './needs.js';
import * as repo from './needs.repo.js';
import { proposalSchema } from './needs.schemas.js';

/*
 * A need turned directly into single bookings: the assigned expert (or a coordinator) proposes services; the company
 * picks a node and window for each and books them all at once. Every booking is checked and written by the booking
 * code (prepareBooking / insertPreparedBooking: capacity taken under its lock), exactly as a chain's steps are — the
 * proposed services are planned and decided as steps without order. All-or-nothing in one transaction, which also
 * links the bookings to the need and records them on its timeline.
 */

const ALREADY_BOOKED = 'need_booked';

/** The assigned expert or a coordinator proposes the services (replacing an earlier proposal until the company books). */
export async function proposeServices(deps: NeedsDeps, user: Principal, number: string, body: unknown): Promise<void> {
  const { found, rel } = await loadNeed(deps, user, number);
  if (!rel.assigned && !rel.coordinator) throw new ForbiddenError('只有接单专家或协调人可以建议预约服务。');
  const v = parseInput(proposalSchema, body);
  const codes = [...new Set(v.services)];
  const known = await repo.servicesByCode(deps.db, codes);
  if (known.length !== codes.length || known.some((s) => !s.active)) throw new ValidationError({ services: '所选服务中有已停办或不存在的服务，请重新选择' });
  await inTransaction(deps.db, async (tx) => {
    const n = await repo.lockNeed(tx, found.need.id);
    if (!n || !['assigned', 'answering', 'resolved'].includes(n.status)) throw new ConflictError('该需求当前状态不能建议预约服务。');
    if ((await repo.bookingsOfNeed(tx, n.id)).length > 0) throw new ConflictError('企业已按建议预约，不能再修改建议。');
    await repo.updateNeed(tx, n.id, { proposedServices: codes });
    await recordEvent(tx, { actorUserId: user.id, entityType: 'need', entityId: n.id, action: 'need.services_proposed', data: { services: codes } });
  });
}

/** The proposal as steps the chain planner understands: one per service, none depending on another. */
async function proposedSteps(deps: NeedsDeps, codes: string[]): Promise<BundleStep[]> {
  const rows = await repo.servicesByCode(deps.db, codes);
  return rows.map((s, i) => ({ position: i + 1, title: s.name, dependsOn: [], serviceId: s.id, serviceCode: s.code, serviceName: s.name, serviceActive: s.active, kind: s.kind, turnaroundDays: s.turnaroundDays, categoryCode: s.categoryCode }));
}

/** The need the company may book from: its own, with a proposal, not booked yet, not closed. */
async function bookableNeed(deps: NeedsDeps, user: Principal, number: string) {
  const { found, rel } = await loadNeed(deps, user, number);
  if (!rel.owner || user.role !== 'enterprise') throw new ForbiddenError('由提出需求的企业按专家建议预约。');
  const n = found.need;
  if (n.proposedServices.length === 0) throw new ConflictError('专家尚未建议预约的服务。');
  if (n.status === 'closed') throw new ConflictError('该需求已关闭。');
  if ((await repo.bookingsOfNeed(deps.db, n.id)).length > 0) throw new ConflictError('已按专家建议预约，请在需求页面查看各预约。', ALREADY_BOOKED);
  return { found, user };
}

/** What /needs/:number/bookings shows: each proposed service with the nodes that do it and their earliest windows. */
export async function planNeedBookings(deps: NeedsDeps, user: Principal, number: string) {
  const { found } = await bookableNeed(deps, user, number);
  const steps = await planSteps(deps, await proposedSteps(deps, found.need.proposedServices));
  return { need: found.need, steps, impossible: steps.find((s) => s.impossible)?.impossible ?? null };
}

/**
 * Books every proposed service as its own booking in one transaction. A window that fills meanwhile rolls all of them
 * back (the message names the service); submitting the form twice books once.
 */
export async function bookNeed(deps: NeedsDeps, user: Principal, number: string, body: Record<string, unknown>): Promise<{ numbers: string[]; duplicate: boolean }> {
  let need;
  try {
    need = (await bookableNeed(deps, user, number)).found.need;
  } catch (err) {
    if (err instanceof ConflictError && err.code === ALREADY_BOOKED) return { numbers: [], duplicate: true };
    throw err;
  }
  if (user.role !== 'enterprise') throw new ForbiddenError();
  const errors: Record<string, string> = {};
  let common: { contactName: string; contactMobile: string; description: string } | undefined;
  try {
    common = parseInput(chainFormSchema, body);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    Object.assign(errors, err.fieldErrors);
  }
  const key = typeof body.idempotencyKey === 'string' ? body.idempotencyKey.slice(0, 60) : '';
  const steps = await proposedSteps(deps, need.proposedServices);
  const decisions = await decideSteps(deps, user, body, steps, key, common, errors);
  if (Object.keys(errors).length > 0 || !common) throw new ValidationError(errors);
  const company = await findEnterpriseById(deps.db, user.enterpriseId);
  const owner = { enterpriseId: user.enterpriseId, parkId: company?.parkId ?? null, createdBy: user.id };
  try {
    const numbers = await inTransaction(deps.db, async (tx) => {
      const n = await repo.lockNeed(tx, need.id);
      if (!n || n.status === 'closed') throw new ConflictError('该需求已关闭。');
      if ((await repo.bookingsOfNeed(tx, n.id)).length > 0) throw new ConflictError('已按专家建议预约。', ALREADY_BOOKED);
      const made: { id: number; number: string }[] = [];
      for (const d of decisions) {
        try {
          made.push(await insertPreparedBooking(tx, deps.clock, { ...d.prepared!, remarks: `质量需求 ${n.number}（${n.title}）专家建议：${d.step.title}` }, owner, { attachments: [] }));
        } catch (err) {
          throw err instanceof WindowTakenMeanwhile ? new StepWindowTaken(d.step) : err;
        }
      }
      await repo.insertNeedBookings(tx, n.id, made.map((b) => b.id));
      const list = made.map((b) => b.number);
      await repo.insertMessage(tx, { needId: n.id, authorId: user.id, body: `已按专家建议预约 ${list.length} 项服务：${list.join('、')}。`, createdAt: deps.clock.now() });
      await recordEvent(tx, { actorUserId: user.id, entityType: 'need', entityId: n.id, action: 'need.booked', note: list.join('、'), data: { bookings: list } });
      return list;
    });
    return { numbers, duplicate: false };
  } catch (err) {
    if (err instanceof StepWindowTaken) throw stepWindowFull(err, '各项服务均未预约');
    if (err instanceof ConflictError && err.code === ALREADY_BOOKED) return { numbers: [], duplicate: true };
    throw err;
  }
}
