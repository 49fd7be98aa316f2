import { and, eq } from 'drizzle-orm';
import { assertCan, isCoordinator, type Principal } from '../auth/access.js';
import { nextDailySequence } from '../bookings/bookings.repo.js';
import { formatBookingNumber } from '../bookings/booking-number.js';
import { checkFiles, storeFiles, withStoredFiles } from '../bookings/files.js';
import type { ChainsDeps } from '../chains/context.js';
import { needs } from '../db/schema.js';
import { inTransaction } from '../db/tx.js';
import { findEnterpriseById } from '../enterprises/enterprises.repo.js';
import { recordEvent } from '../events/record.js';
import { notifyEnterpriseUsers, notifyUsers } from '../notifications/notifications.repo.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { shanghaiDate } from '../shared/time.js';
import * as attachmentsRepo from '../uploads/attachments.repo.js';
import type { UploadedFile } from '../uploads/purposes.js';
import type { DocumentStore } from '../uploads/storage.js';
import { parseInput } from '../shared/validation.js';
import { firstAnswerDue, isOverdue } from './clock.js';
import { isAvailable, rankExperts, unavailableReason } from './matching.js';
import * as repo from './needs.repo.js';
import { assignSchema, closeSchema, messageSchema, needRatingSchema, needSchema, resolveSchema } from './needs.schemas.js';

/** The booking code's dependencies (a need turns into bookings through it) and the file storage. */
export interface NeedsDeps extends ChainsDeps {
  storage: DocumentStore;
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
  const pool = !!profile && profile.poolAllowed && isAvailable(profile, shanghaiDate(deps.clock.now())) && n.status === 'submitted' && n.expertId === null;
  const coordinator = isCoordinator(user) || user.role === 'platform_admin';
  // The need's documents: its company (or park), the assigned expert, coordinators — not an expert browsing the pool.
  const files = owner || parkReader || assigned || coordinator;
  return { owner, parkReader, assigned, pool, coordinator, profile, files, sees: files || pool };
}

/** A need the user may see (404 otherwise; 403 for roles that never read needs). */
export async function loadNeed(deps: NeedsDeps, user: Principal, number: string) {
  assertCan(user, 'need.read');
  const found = NEED_NUMBER_RE.test(number) ? await repo.findNeed(deps.db, number) : undefined;
  if (!found) throw new NotFoundError('该需求不存在，或您无权查看。');
  const rel = await relationTo(deps, user, found);
  if (!rel.sees) throw new NotFoundError('该需求不存在，或您无权查看。');
  return { found, rel };
}

/** The files of a need form, or why the upload parser refused the body (too large, too many): checked after scope. */
export interface NeedUpload {
  files: UploadedFile[];
  refused?: string;
}

/** Checks the files of a form by content and writes them to disk; the caller removes them if its transaction fails. */
async function storedNeedFiles(deps: NeedsDeps, user: Principal, upload: NeedUpload) {
  if (upload.refused) throw new ValidationError({ attachments: upload.refused }, upload.refused);
  const checked = await checkFiles(upload.files, 0);
  return storeFiles(deps, checked, { userId: user.id, enterpriseId: user.enterpriseId }, { bookingId: null, draftToken: null, needId: null });
}

/** A need with its documents (content-checked; a refused file keeps nothing on disk and saves nothing). */
export async function submitNeed(deps: NeedsDeps, user: Principal, body: unknown, files: NeedUpload = { files: [] }): Promise<string> {
  assertCan(user, 'need.submit');
  const v = parseInput(needSchema, body);
  const company = user.role === 'enterprise' ? await findEnterpriseById(deps.db, user.enterpriseId) : undefined;
  const now = deps.clock.now();
  const day = shanghaiDate(now);
  const rows = await storedNeedFiles(deps, user, files);
  return withStoredFiles(deps, rows, () => inTransaction(deps.db, async (tx) => {
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
    await attachmentsRepo.insertAttachments(tx, rows.map((r) => ({ ...r, needId: id })));
    await recordEvent(tx, { actorUserId: user.id, entityType: 'need', entityId: id, action: 'need.submitted', toState: 'submitted', data: { number, type: v.type, attachments: rows.length } });
    return number;
  }));
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
  const [messages, files, booked] = await Promise.all([
    repo.messagesOf(deps.db, found.need.id),
    rel.files ? attachmentsRepo.attachmentsOfNeed(deps.db, found.need.id) : Promise.resolve([]),
    repo.bookingsOfNeed(deps.db, found.need.id),
  ]);
  const today = shanghaiDate(deps.clock.now());
  const open = rel.coordinator && ['submitted', 'assigned'].includes(found.need.status);
  const pool = open ? await repo.expertPool(deps.db) : [];
  const matches = rankExperts(pool, found.need, today).slice(0, 8);
  // Experts left out now, with why (the coordinator sees who is paused or full rather than wondering).
  const excluded = pool.flatMap((e) => {
    const reason = unavailableReason(e, today);
    return reason && e.fields.includes(found.need.type) ? [{ name: e.name, reason }] : [];
  });
  const proposing = (rel.assigned || rel.coordinator) && ['assigned', 'answering', 'resolved'].includes(found.need.status) && booked.length === 0;
  const proposed = found.need.proposedServices.length ? await repo.servicesByCode(deps.db, found.need.proposedServices) : [];
  return {
    ...found,
    rel: { owner: rel.owner, assigned: rel.assigned, pool: rel.pool, coordinator: rel.coordinator, files: rel.files },
    messages: messages.map((m) => ({ ...m, files: files.filter((f) => f.messageId === m.id) })),
    needFiles: files.filter((f) => f.messageId === null),
    booked,
    proposed,
    proposable: proposing ? await repo.proposableServices(deps.db) : [],
    canBook: rel.owner && user.role === 'enterprise' && proposed.length > 0 && booked.length === 0 && found.need.status !== 'closed',
    matches,
    excluded,
    overdue: isOverdue(found.need, today),
  };
}

async function notifyExpert(tx: Parameters<Parameters<typeof inTransaction>[1]>[0], expertId: number, number: string, title: string) {
  const [e] = await repo.userIdsOfExperts(tx, [expertId]);
  if (e) await notifyUsers(tx, [e.userId], { bookingId: null, title: `${number} ${title}`, body: '请在规定的工作日内首次答复。', link: needHref(number) });
}

/**
 * The coordinator assigns an expert from the pool, or moves the need to another one before the first answer: the
 * previous expert is told, the timeline records both, and the coordinator is told who has it now.
 */
export async function assignNeed(deps: NeedsDeps, user: Principal, number: string, body: unknown): Promise<{ expert: string; previous: string | null }> {
  const { found, rel } = await loadNeed(deps, user, number);
  if (!rel.coordinator) throw new ForbiddenError('只有协调人可以指派专家。');
  const v = parseInput(assignSchema, body);
  const pool = await repo.expertPool(deps.db);
  const chosen = pool.find((e) => e.id === v.expert);
  if (!chosen) throw new ValidationError({ expert: '请选择专家库中可接单的专家' });
  const reason = unavailableReason(chosen, shanghaiDate(deps.clock.now()));
  if (reason) throw new ValidationError({ expert: `${chosen.name}目前不能接单（${reason}），请选择其他专家` });
  return inTransaction(deps.db, async (tx) => {
    const n = await repo.lockNeed(tx, found.need.id);
    if (!n || !['submitted', 'assigned'].includes(n.status)) throw new ConflictError('该需求已在答复中或已结束，不能再指派。');
    if (n.expertId === v.expert) throw new ConflictError(`该需求已指派给${chosen.name}，无需重复指派。`);
    const previous = n.expertId !== null ? (pool.find((e) => e.id === n.expertId)?.name ?? '原专家') : null;
    await repo.updateNeed(tx, n.id, { status: 'assigned', expertId: v.expert });
    await recordEvent(tx, {
      actorUserId: user.id,
      entityType: 'need',
      entityId: n.id,
      action: 'need.assigned',
      fromState: n.status,
      toState: 'assigned',
      data: { expert: v.expert, ...(n.expertId !== null ? { previousExpert: n.expertId } : {}) },
      note: previous ? `由${previous}改派给${chosen.name}` : `指派给${chosen.name}`,
    });
    await notifyExpert(tx, v.expert, n.number, '已指派给您');
    if (n.expertId !== null) {
      const [prev] = await repo.userIdsOfExperts(tx, [n.expertId]);
      if (prev) await notifyUsers(tx, [prev.userId], { bookingId: null, title: `${n.number} 已改派其他专家`, body: '协调人已将该需求改派其他专家，您无需再答复。', link: '/needs' });
    }
    return { expert: chosen.name, previous };
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
export async function postMessage(deps: NeedsDeps, user: Principal, number: string, body: unknown, files: NeedUpload = { files: [] }): Promise<void> {
  const { found, rel } = await loadNeed(deps, user, number);
  if (!rel.owner && !rel.assigned && !rel.coordinator) throw new ForbiddenError('接单后才能在该需求下留言。');
  const v = parseInput(messageSchema, body);
  const rows = await storedNeedFiles(deps, user, files);
  await withStoredFiles(deps, rows, () => inTransaction(deps.db, async (tx) => {
    const n = await repo.lockNeed(tx, found.need.id);
    if (!n || ['closed', 'rated'].includes(n.status)) throw new ConflictError('该需求已结束。');
    const messageId = await repo.insertMessage(tx, { needId: n.id, authorId: user.id, body: v.body, createdAt: deps.clock.now() });
    await attachmentsRepo.insertAttachments(tx, rows.map((r) => ({ ...r, needId: n.id, needMessageId: messageId })));
    if (rel.assigned && n.firstAnswerAt === null) {
      await repo.updateNeed(tx, n.id, { firstAnswerAt: deps.clock.now(), ...(n.status === 'assigned' ? { status: 'answering' } : {}) });
      await recordEvent(tx, { actorUserId: user.id, entityType: 'need', entityId: n.id, action: 'need.answering', fromState: n.status, toState: 'answering' });
    }
    if (rel.assigned && n.enterpriseId !== null) await notifyEnterpriseUsers(tx, n.enterpriseId, { bookingId: null, title: `${n.number} 专家已答复`, body: v.body.slice(0, 80), link: needHref(n.number) });
    if (!rel.assigned && n.expertId !== null) await notifyExpert(tx, n.expertId, n.number, '有新留言');
  }));
}

/** One of the need's documents, for a reader in scope (the company or park, the assigned expert, coordinators); else 404. */
export async function needAttachment(deps: NeedsDeps, user: Principal, number: string, id: number) {
  const { found, rel } = await loadNeed(deps, user, number);
  const file = rel.files ? await attachmentsRepo.findNeedAttachment(deps.db, found.need.id, id) : undefined;
  if (!file) throw new NotFoundError('该附件不存在，或您无权查看。');
  const content = await deps.storage.read(file.storedName);
  if (!content) throw new NotFoundError('附件文件已不存在，请联系平台客服。');
  return { storedName: file.storedName, downloadName: file.originalName, mimeType: file.mimeType, content };
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
