import { and, eq } from 'drizzle-orm';
import { assertCan, isCoordinator, type Principal } from '../auth/access.js';
import { nextDailySequence } from '../bookings/bookings.repo.js';
import { formatBookingNumber } from '../bookings/booking-number.js';
import type { Db } from '../db/client.js';
import { needs } from '../db/schema.js';
import { inTransaction } from '../db/tx.js';
import { findEnterpriseById } from '../enterprises/enterprises.repo.js';
import { recordEvent } from '../events/record.js';
import { notifyEnterpriseUsers, notifyUsers } from '../notifications/notifications.repo.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { shanghaiDate, type Clock } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import { firstAnswerDue, isOverdue } from './clock.js';
import { rankExperts } from './matching.js';
import * as repo from './needs.repo.js';
import { assignSchema, closeSchema, messageSchema, needRatingSchema, needSchema, resolveSchema } from './needs.schemas.js';

export interface NeedsDeps {
  db: Db;
  clock: Clock;
}

export const NEED_NUMBER_RE = /^XQ-\d{8}-\d{4,6}$/;
export const needHref = (number: string) => `/needs/${number}`;

type Found = NonNullable<Awaited<ReturnType<typeof repo.findNeed>>>;

/** Who the reader is to a need: owner (company or park), the assigned expert, a pool expert, a coordinator. */
async function relationTo(deps: NeedsDeps, user: Principal, found: Found) {
  const n = found.need;
  const profile = await repo.expertOfUser(deps.db, user.id);
  const owner = (user.role === 'enterprise' && n.enterpriseId === user.enterpriseId) || (user.role === 'park_admin' && n.enterpriseId === null && n.parkId === user.parkId);
  const parkReader = user.role === 'park_admin' && n.parkId === user.parkId;
  const assigned = !!profile && n.expertId === profile.id;
  const pool = !!profile && profile.poolAllowed && profile.available && n.status === 'submitted' && n.expertId === null;
  const coordinator = isCoordinator(user) || user.role === 'platform_admin';
  return { owner, parkReader, assigned, pool, coordinator, profile, sees: owner || parkReader || assigned || pool || coordinator };
}

/** A need the user may see (404 otherwise; 403 for roles that never read needs). */
async function loadNeed(deps: NeedsDeps, user: Principal, number: string) {
  assertCan(user, 'need.read');
  const found = NEED_NUMBER_RE.test(number) ? await repo.findNeed(deps.db, number) : undefined;
  if (!found) throw new NotFoundError('该需求不存在，或您无权查看。');
  const rel = await relationTo(deps, user, found);
  if (!rel.sees) throw new NotFoundError('该需求不存在，或您无权查看。');
  return { found, rel };
}

export async function submitNeed(deps: NeedsDeps, user: Principal, body: unknown): Promise<string> {
  assertCan(user, 'need.submit');
  const v = parseInput(needSchema, body);
  const company = user.role === 'enterprise' ? await findEnterpriseById(deps.db, user.enterpriseId) : undefined;
  const now = deps.clock.now();
  const day = shanghaiDate(now);
  return inTransaction(deps.db, async (tx) => {
    const number = formatBookingNumber('XQ', day, await nextDailySequence(tx, 'XQ', day));
    const id = await repo.insertNeed(tx, {
      number,
      enterpriseId: user.role === 'enterprise' ? user.enterpriseId : null,
      parkId: user.role === 'park_admin' ? user.parkId : (company?.parkId ?? null),
      submittedBy: user.id,
      ...v,
      dueDate: firstAnswerDue(day),
      createdAt: now,
    });
    await recordEvent(tx, { actorUserId: user.id, entityType: 'need', entityId: id, action: 'need.submitted', toState: 'submitted', data: { number, type: v.type } });
    return number;
  });
}

/** Needs in the reader's scope: own company's, the park's, assigned and the open pool (experts), all (coordinators). */
export async function listNeedsFor(deps: NeedsDeps, user: Principal) {
  assertCan(user, 'need.read');
  const profile = await repo.expertOfUser(deps.db, user.id);
  const all = isCoordinator(user) || user.role === 'platform_admin';
  const where = all
    ? undefined
    : user.role === 'enterprise'
      ? eq(needs.enterpriseId, user.enterpriseId)
      : user.role === 'park_admin'
        ? eq(needs.parkId, user.parkId)
        : profile
          ? profile.poolAllowed
            ? repo.needsOfExpertOrPool(profile.id)
            : eq(needs.expertId, profile.id)
          : undefined;
  if (!all && where === undefined) throw new ForbiddenError();
  const today = shanghaiDate(deps.clock.now());
  return (await repo.listNeeds(deps.db, where)).map((r) => ({ ...r, overdue: isOverdue(r.need, today) }));
}

/** The need's page: thread, clock, and for a coordinator the ranked experts with their explained score. */
export async function needPage(deps: NeedsDeps, user: Principal, number: string) {
  const { found, rel } = await loadNeed(deps, user, number);
  const messages = await repo.messagesOf(deps.db, found.need.id);
  const today = shanghaiDate(deps.clock.now());
  const matches = rel.coordinator && ['submitted', 'assigned'].includes(found.need.status) ? rankExperts(await repo.expertPool(deps.db), found.need).slice(0, 8) : [];
  return { ...found, rel: { owner: rel.owner, assigned: rel.assigned, pool: rel.pool, coordinator: rel.coordinator }, messages, matches, overdue: isOverdue(found.need, today) };
}

async function notifyExpert(tx: Parameters<Parameters<typeof inTransaction>[1]>[0], expertId: number, number: string, title: string) {
  const [e] = await repo.userIdsOfExperts(tx, [expertId]);
  if (e) await notifyUsers(tx, [e.userId], { bookingId: null, title: `${number} ${title}`, body: '请在规定的工作日内首次答复。', link: needHref(number) });
}

/** The coordinator assigns an expert from the pool. */
export async function assignNeed(deps: NeedsDeps, user: Principal, number: string, body: unknown): Promise<void> {
  const { found, rel } = await loadNeed(deps, user, number);
  if (!rel.coordinator) throw new ForbiddenError('只有协调人可以指派专家。');
  const v = parseInput(assignSchema, body);
  const pool = await repo.expertPool(deps.db);
  if (!pool.some((e) => e.id === v.expert && e.available)) throw new ValidationError({ expert: '请选择专家库中可接单的专家' });
  await inTransaction(deps.db, async (tx) => {
    const n = await repo.lockNeed(tx, found.need.id);
    if (!n || !['submitted', 'assigned'].includes(n.status)) throw new ConflictError('该需求已在答复中或已结束，不能再指派。');
    await repo.updateNeed(tx, n.id, { status: 'assigned', expertId: v.expert });
    await recordEvent(tx, { actorUserId: user.id, entityType: 'need', entityId: n.id, action: 'need.assigned', fromState: n.status, toState: 'assigned', data: { expert: v.expert } });
    await notifyExpert(tx, v.expert, n.number, '已指派给您');
  });
}

/** An expert takes an open need from the pool. */
export async function acceptNeed(deps: NeedsDeps, user: Principal, number: string): Promise<void> {
  const { found, rel } = await loadNeed(deps, user, number);
  if (!rel.profile) throw new ForbiddenError('只有专家库的专家可以接单。');
  if (!rel.pool) throw new ConflictError('该需求已有专家接单。');
  await inTransaction(deps.db, async (tx) => {
    const n = await repo.lockNeed(tx, found.need.id);
    if (!n || n.status !== 'submitted' || n.expertId !== null) throw new ConflictError('该需求已有专家接单。');
    await repo.updateNeed(tx, n.id, { status: 'assigned', expertId: rel.profile!.id });
    await recordEvent(tx, { actorUserId: user.id, entityType: 'need', entityId: n.id, action: 'need.accepted', fromState: 'submitted', toState: 'assigned' });
  });
}

/** A message on the thread; the assigned expert's first one starts the answer (answering) and stops the clock. */
export async function postMessage(deps: NeedsDeps, user: Principal, number: string, body: unknown): Promise<void> {
  const { found, rel } = await loadNeed(deps, user, number);
  if (!rel.owner && !rel.assigned && !rel.coordinator) throw new ForbiddenError('接单后才能在该需求下留言。');
  const v = parseInput(messageSchema, body);
  await inTransaction(deps.db, async (tx) => {
    const n = await repo.lockNeed(tx, found.need.id);
    if (!n || ['closed', 'rated'].includes(n.status)) throw new ConflictError('该需求已结束。');
    await repo.insertMessage(tx, { needId: n.id, authorId: user.id, body: v.body, createdAt: deps.clock.now() });
    if (rel.assigned && n.firstAnswerAt === null) {
      await repo.updateNeed(tx, n.id, { firstAnswerAt: deps.clock.now(), ...(n.status === 'assigned' ? { status: 'answering' } : {}) });
      await recordEvent(tx, { actorUserId: user.id, entityType: 'need', entityId: n.id, action: 'need.answering', fromState: n.status, toState: 'answering' });
    }
    if (rel.assigned && n.enterpriseId !== null) await notifyEnterpriseUsers(tx, n.enterpriseId, { bookingId: null, title: `${n.number} 专家已答复`, body: v.body.slice(0, 80), link: needHref(n.number) });
    if (!rel.assigned && n.expertId !== null) await notifyExpert(tx, n.expertId, n.number, '有新留言');
  });
}

export async function resolveNeed(deps: NeedsDeps, user: Principal, number: string, body: unknown): Promise<void> {
  const { found, rel } = await loadNeed(deps, user, number);
  if (!rel.assigned) throw new ForbiddenError('只有接单专家可以办结答复。');
  const v = parseInput(resolveSchema, body);
  await changeState(deps, user, found.need.id, ['assigned', 'answering'], 'resolved', { resolution: v.resolution, proposedBundle: v.proposedBundle || null, resolvedAt: deps.clock.now(), firstAnswerAt: found.need.firstAnswerAt ?? deps.clock.now() });
}

/** The company (or park) rates the answer: it feeds the expert's score in matching and the dashboards. */
export async function rateNeed(deps: NeedsDeps, user: Principal, number: string, body: unknown): Promise<void> {
  const { found, rel } = await loadNeed(deps, user, number);
  if (!rel.owner) throw new ForbiddenError('由提出需求的企业或园区评价。');
  const v = parseInput(needRatingSchema, body);
  await changeState(deps, user, found.need.id, ['resolved'], 'rated', { ratingLevel: v.level, ratingComment: v.comment || null });
}

export async function closeNeed(deps: NeedsDeps, user: Principal, number: string, body: unknown): Promise<void> {
  const { found, rel } = await loadNeed(deps, user, number);
  if (!rel.coordinator) throw new ForbiddenError('只有协调人可以关闭需求。');
  const v = parseInput(closeSchema, body);
  await changeState(deps, user, found.need.id, ['submitted', 'assigned', 'answering'], 'closed', { closedReason: v.reason });
}

async function changeState(deps: NeedsDeps, user: Principal, id: number, from: string[], to: 'resolved' | 'rated' | 'closed', patch: Partial<typeof needs.$inferInsert>) {
  await inTransaction(deps.db, async (tx) => {
    const n = await repo.lockNeed(tx, id);
    if (!n || !from.includes(n.status)) throw new ConflictError('该需求当前状态不能进行此操作。');
    await tx.update(needs).set({ ...patch, status: to }).where(and(eq(needs.id, id)));
    await recordEvent(tx, { actorUserId: user.id, entityType: 'need', entityId: id, action: `need.${to}`, fromState: n.status, toState: to, note: patch.closedReason ?? null });
    if (to === 'resolved' && n.enterpriseId !== null) await notifyEnterpriseUsers(tx, n.enterpriseId, { bookingId: null, title: `${n.number} 已答复办结`, body: '请查看专家的答复结论并评价。', link: needHref(n.number) });
  });
}

export async function needsDashboard(deps: NeedsDeps, user: Principal) {
  if (!isCoordinator(user) && user.role !== 'platform_admin') throw new ForbiddenError();
  const [stats, pool] = await Promise.all([repo.needStats(deps.db), repo.expertPool(deps.db)]);
  return { stats, pool };
}
