import { eq } from 'drizzle-orm';
import { assertCoordinator, type Principal } from '../auth/access.js';
import { findPrincipalById } from '../auth/auth.repo.js';
import { describeWindow } from '../capacity/availability.js';
import { inTransaction } from '../db/tx.js';
import { chainRequests, chainSteps } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import { notifyEnterpriseUsers } from '../notifications/notifications.repo.js';
import { insertPreparedBooking, WindowTakenMeanwhile } from '../bookings/create.js';
import { activeService } from '../bookings/form.js';
import { prepareBooking, type PreparedBooking } from '../bookings/prepare.js';
import { applyTransition, type SystemActor } from '../bookings/transition.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './chains.repo.js';
import { rerouteSchema } from './chains.schemas.js';
import type { ChainsDeps } from './context.js';
import { nodeChoices } from './file.js';
import { chainHref } from './sequencing.js';
import { stepBody } from './step-form.js';

const SYSTEM: SystemActor = { id: null, role: 'system', name: '系统' };

/** Booking states a re-route may still withdraw (before the sample or visit is received). */
const WITHDRAWABLE = new Set(['submitted', 'needs_info', 'accepted']);

async function loadChainOf(deps: ChainsDeps, step: repo.ChainStepRow) {
  const [chain] = await deps.db.select().from(chainRequests).where(eq(chainRequests.id, step.chainId));
  if (!chain) throw new NotFoundError();
  return chain;
}

/** Prepares the step's booking at a node: the given window, or the earliest one the booking code accepts. */
async function prepareAt(deps: ChainsDeps, step: repo.ChainStepRow, chain: repo.ChainRow, nodeId: number, slot: string | null): Promise<PreparedBooking> {
  const filer = await findPrincipalById(deps.db, chain.createdBy);
  if (!filer || filer.role !== 'enterprise') throw new ConflictError('申请人账号已停用，该环节请协调人联系企业后处理。');
  const [view] = (await repo.stepsOfChain(deps.db, [chain.id])).filter((s) => s.step.id === step.id);
  const service = await activeService(deps, view!.serviceCode);
  const common = { contactName: chain.contactName, contactMobile: chain.contactMobile };
  const key = `${chain.idempotencyKey.slice(0, 40)}-s${step.position}-r${step.reroutes}`;
  const candidates = slot ? [slot] : ((await nodeChoices(deps, service.id, service.bookingKind, 8)).choices.find((n) => n.id === nodeId)?.windows.map((w) => w.value) ?? []);
  let last: unknown = new ConflictError('该网点近期没有可预约的时段。');
  for (const candidate of candidates) {
    try {
      return await prepareBooking(deps, filer, stepBody(service.code, nodeId, candidate, key, step.details, common));
    } catch (err) {
      if (!(err instanceof ConflictError) && !(err instanceof ValidationError)) throw err;
      last = err;
      if (slot) break;
    }
  }
  throw last;
}

/** Books a step inside the caller's transaction and says so on the chain's timeline and to the company. */
async function bookStep(deps: ChainsDeps, step: repo.ChainStepRow, chain: repo.ChainRow, p: PreparedBooking, by: { actorId: number; why: string; withdraw: boolean } | null) {
  const actorId = by?.actorId ?? null;
  const why = by?.why ?? '';
  return inTransaction(deps.db, async (tx) => {
    const locked = await repo.lockChain(tx, chain.id);
    const [current] = await tx.select().from(chainSteps).where(eq(chainSteps.id, step.id)).for('update');
    if (!locked || locked.status !== 'open' || !current || current.bookingId !== step.bookingId || current.state !== step.state) throw new ConflictError('该环节已被他人处理，请刷新页面。');
    if (current.bookingId !== null && by?.withdraw) {
      await applyTransition(tx, current.bookingId, 'cancel', SYSTEM, { note: `协调人改派：${why}` });
    }
    const owner = { enterpriseId: chain.enterpriseId, parkId: chain.parkId, createdBy: chain.createdBy };
    const { id, number } = await insertPreparedBooking(tx, deps.clock, { ...p, remarks: `一件事 ${chain.number} 第 ${step.position} 步：${step.title}` }, owner, { attachments: [] });
    await repo.updateStep(tx, step.id, { state: 'booked', bookingId: id, nodeId: p.nodeId, ...(actorId !== null ? { reroutes: step.reroutes + 1 } : {}) });
    await recordEvent(tx, { actorUserId: actorId, entityType: 'chain', entityId: chain.id, action: actorId !== null ? 'chain.step_rerouted' : 'chain.step_scheduled', fromState: step.state, toState: 'booked', note: actorId !== null ? why : null, data: { position: step.position, booking: number, node: p.nodeId } });
    await notifyEnterpriseUsers(tx, chain.enterpriseId, {
      bookingId: id,
      title: `${chain.number} 第 ${step.position} 步已安排`,
      body: `“${step.title}”已预约 ${p.nodeName} ${describeWindow(p.date, p.window)}（${number}）。${actorId !== null ? `协调人改派原因：${why}` : ''}`,
      link: chainHref(chain.number),
    });
    return number;
  });
}

/**
 * Books the steps whose predecessors completed (待排期) at their node's earliest window. Runs after the completing
 * transaction commits; a step that finds no window stays 待排期 and shows as stalled to the coordinator.
 */
export async function scheduleReadySteps(deps: ChainsDeps, chainId?: number): Promise<{ booked: string[]; stalled: number }> {
  const booked: string[] = [];
  let stalled = 0;
  for (const { id } of await repo.readySteps(deps.db, chainId)) {
    const step = await repo.findStep(deps.db, id);
    if (!step || step.state !== 'ready') continue;
    const chain = await loadChainOf(deps, step);
    try {
      const p = await prepareAt(deps, step, chain, step.nodeId, null);
      booked.push(await bookStep(deps, step, chain, p, null));
    } catch (err) {
      if (err instanceof ConflictError || err instanceof ValidationError || err instanceof WindowTakenMeanwhile) stalled++;
      else throw err;
    }
  }
  return { booked, stalled };
}

/** The coordinator moves a step to another node (and window): the old booking is withdrawn in the same transaction. */
export async function rerouteStep(deps: ChainsDeps, user: Principal, stepId: number, input: unknown): Promise<{ chainNumber: string; booking: string | null }> {
  assertCoordinator(user);
  const step = await repo.findStep(deps.db, stepId);
  if (!step) throw new NotFoundError();
  const chain = await loadChainOf(deps, step);
  const v = parseInput(rerouteSchema, input);
  if (chain.status !== 'open') throw new ConflictError('该一件事申请已结束，不能改派。');
  const [view] = (await repo.stepsOfChain(deps.db, [chain.id])).filter((s) => s.step.id === step.id);
  if (view!.bookingStatus && !WITHDRAWABLE.has(view!.bookingStatus) && view!.bookingStatus !== 'rejected' && view!.bookingStatus !== 'cancelled') {
    throw new ConflictError('该环节已开始办理（已收样或已到场），不能再改派。');
  }
  const { choices } = await nodeChoices(deps, step.serviceId, view!.kind);
  if (!choices.some((n) => n.id === v.node)) throw new ValidationError({ node: '请选择提供该服务的网点' });
  if (step.state === 'waiting') {
    await inTransaction(deps.db, async (tx) => {
      await repo.updateStep(tx, step.id, { nodeId: v.node, reroutes: step.reroutes + 1 });
      await recordEvent(tx, { actorUserId: user.id, entityType: 'chain', entityId: chain.id, action: 'chain.step_rerouted', note: v.reason, data: { position: step.position, node: v.node } });
    });
    return { chainNumber: chain.number, booking: null };
  }
  // A booking already cancelled or refused is not withdrawn again: the step is just booked anew.
  const withdraw = view!.bookingStatus !== null && WITHDRAWABLE.has(view!.bookingStatus);
  const p = await prepareAt(deps, step, chain, v.node, v.slot || null);
  const number = await bookStep(deps, step, chain, p, { actorId: user.id, why: v.reason, withdraw }).catch((err: unknown) => {
    if (err instanceof WindowTakenMeanwhile) throw new ConflictError('所选时段刚刚约满，请改选其他时段。');
    throw err;
  });
  return { chainNumber: chain.number, booking: number };
}
