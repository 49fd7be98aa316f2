import { recordEvent } from '../events/record.js';
import { and, eq, inArray, isNull, like, max, sql } from 'drizzle-orm';
import { releaseUnits } from '../capacity/capacity.repo.js';
import { dueDateFor } from '../bookings/progress.js';
import { MAIN_PATH, TRANSITIONS, type BookingStatus, type MainStage } from '../bookings/lifecycle.js';
import { addDays, addMonths, shanghaiDate } from '../shared/time.js';
import { asPrincipal, type Principal } from '../auth/access.js';
import { makeAvailability } from '../capacity/availability.js';
import { makeReferenceData } from '../catalog/reference.js';
import { makeChainsService } from '../chains/chains.service.js';
import * as chainsRepo from '../chains/chains.repo.js';
import { afterBookingCompleted } from '../chains/sequencing.js';
import type { Db } from '../db/client.js';
import { bookingFees, bookingItems, bookings, bundles, chainRequests, chainSteps, nodes, results, services, users } from '../db/schema.js';
import { insertRows } from '../db/bulk-insert.js';
import { findBookingByNumber } from '../bookings/bookings.repo.js';
import { issueFirstVersion } from '../reports/issue.js';
import { findServiceByCode } from '../catalog/catalog.repo.js';
import { demoCalibration, demoConditions } from './calibration-results.js';
import { standardsInService } from '../standards/standards.repo.js';
import { prng } from './history.js';

/** The bundles (套餐) the platform starts with, built from the reference catalog. */
export const SEED_BUNDLES = [
  {
    code: 'NEW-PRODUCT',
    name: '新产品上市一件事',
    summary: '新产品从标准查新、企业标准自我声明，到生产用计量器具检定和认证咨询，一次申请办齐。',
    steps: [
      { title: '标准查新与有效性确认', service: 'BZ-LOOKUP', after: [] },
      { title: '企业标准自我声明咨询', service: 'BZ-ENTSTD', after: [1] },
      { title: '生产用计量器具检定', service: 'CAL-PG', after: [] },
      { title: '产品认证咨询', service: 'RZ-CCC', after: [2, 3] },
    ],
  },
  {
    code: 'OIL-TRADE',
    name: '油品贸易一件事',
    summary: '船用燃料油交付：ISO 8217 全项检测出具报告，硫含量合规复检，有争议时技术帮扶与仲裁咨询。',
    steps: [
      { title: 'ISO 8217 检测并出具报告', service: 'YP-ISO8217', after: [] },
      { title: '硫含量合规复检', service: 'YP-MARPOL', after: [1] },
      { title: '质量争议技术帮扶（仲裁咨询）', service: 'ZX-DIAG', after: [2] },
    ],
  },
  {
    code: 'EXPORT-CERT',
    name: '出口认证一件事',
    summary: '出口产品对标国外标准，检定称量器具，再辅导质量管理体系认证。',
    steps: [
      { title: '对标达标与标准比对', service: 'BZ-BENCH', after: [] },
      { title: '电子天平检定/校准', service: 'CAL-EBAL', after: [] },
      { title: 'ISO 9001 体系认证辅导', service: 'RZ-ISO9001', after: [1, 2] },
    ],
  },
] as const;

/** Inserts the seed bundles missing by code (an administrator's versions are left alone). */
export async function seedBundles(db: Db): Promise<void> {
  const codes = SEED_BUNDLES.flatMap((b) => b.steps.map((s) => s.service));
  const ids = new Map((await db.select({ id: services.id, code: services.code }).from(services).where(inArray(services.code, codes))).map((s) => [s.code, s.id]));
  for (const b of SEED_BUNDLES) {
    if ((await db.$count(bundles, eq(bundles.code, b.code))) > 0) continue;
    await db.transaction((tx) =>
      chainsRepo.insertBundleVersion(
        tx,
        { code: b.code, version: 1, name: b.name, summary: b.summary, active: true, createdBy: null },
        b.steps.map((s, i) => ({ position: i + 1, title: s.title, serviceId: ids.get(s.service)!, dependsOn: [...s.after] })),
      ),
    );
  }
}

const principalOf = async (db: Db, mobile: string): Promise<Principal> => {
  const [u] = await db.select().from(users).where(eq(users.mobile, mobile));
  return asPrincipal({ ...u!, unread: 0 });
};

async function nodeIdOf(db: Db, code: string): Promise<number> {
  const [n] = await db.select({ id: nodes.id }).from(nodes).where(eq(nodes.code, code));
  return n!.id;
}

/** The lab's transitions along the booking's main path from its state to `to`, as the lifecycle table defines them. */
function mainPathSteps(from: BookingStatus, to: MainStage): [string, BookingStatus][] {
  const path = MAIN_PATH.slice(Math.max(0, MAIN_PATH.indexOf(from as MainStage)), MAIN_PATH.indexOf(to) + 1);
  return path.slice(1).map((next, i) => {
    const transition = Object.values(TRANSITIONS).find((t) => t.from.includes(path[i]!) && t.to === next)!;
    return [`booking.${transition.action}`, next];
  });
}

/**
 * Sets a demo booking's state directly (demo history, as the history seed does): a refusal gives its capacity back, a
 * completion comes with its issued report (signed by the node's manager) and runs the chain's sequencing.
 */
async function settle(db: Db, bookingId: number, status: 'completed' | 'rejected' | 'in_progress'): Promise<void> {
  const [b] = await db.select().from(bookings).where(eq(bookings.id, bookingId));
  if (!b || b.status === status) return;
  const staff = await db.select({ id: users.id, role: users.role }).from(users).where(eq(users.nodeId, b!.nodeId)).orderBy(users.id);
  const manager = staff.find((u) => u.role === 'node_manager');
  const [tester, verifier] = staff.filter((u) => u.role === 'lab_staff');
  const [svc] = await db.select({ code: services.code, name: services.name, turnaroundDays: services.turnaroundDays }).from(services).where(eq(services.id, b!.serviceId));
  await db.transaction(async (tx) => {
    const refusal = status === 'rejected' ? '本网点该项目设备检修，暂不能受理，请协调人改派其他网点' : null;
    // Accepted work carries its due date and the lab's steps on the timeline, as the lab's own transitions leave them.
    const steps = status === 'rejected' ? [] : mainPathSteps(b!.status, status);
    const today = shanghaiDate(new Date());
    const dueDate = steps.length ? await dueDateFor(tx, { nodeId: b!.nodeId, date: b!.date, turnaroundDays: svc!.turnaroundDays }, today) : null;
    await tx
      .update(bookings)
      .set({ status, ...(status === 'in_progress' ? {} : { closedAt: new Date() }), ...(refusal ? { closeReason: refusal } : {}), ...(dueDate ? { acceptedAt: new Date(), dueDate } : {}) })
      .where(eq(bookings.id, bookingId));
    // The fee as the lab's acceptance confirms it (the estimate), and as paid when the report is issued.
    if (dueDate) await tx.update(bookingFees).set({ confirmedCents: sql`coalesce(${bookingFees.confirmedCents}, ${bookingFees.estimateCents})`, confirmedBy: manager?.id ?? null, confirmedAt: new Date() }).where(eq(bookingFees.bookingId, bookingId));
    if (status === 'completed') {
      await tx
        .update(bookingFees)
        .set({ paymentStatus: sql`CASE WHEN ${bookingFees.confirmedCents} > 0 THEN 'paid'::payment_status ELSE 'waived'::payment_status END`, paidCents: sql`nullif(${bookingFees.confirmedCents}, 0)`, paidOn: sql`CASE WHEN ${bookingFees.confirmedCents} > 0 THEN ${today}::date END`, paymentMethod: sql`CASE WHEN ${bookingFees.confirmedCents} > 0 THEN 'transfer' END`, paymentRecordedBy: manager?.id ?? null })
        .where(eq(bookingFees.bookingId, bookingId));
    }
    let from: string = b!.status;
    for (const [i, [action, to]] of steps.entries()) {
      await recordEvent(tx, { actorUserId: manager?.id ?? null, entityType: 'booking', entityId: bookingId, action, fromState: from, toState: to, ...(i === 0 ? { data: { dueDate } } : {}) });
      from = to;
    }
    if (status === 'rejected') {
      // As the lab's refusal does: the reason is on the booking's timeline, where the company reads it.
      await recordEvent(tx, { actorUserId: manager?.id ?? null, entityType: 'booking', entityId: bookingId, action: 'booking.reject', fromState: b!.status, toState: 'rejected', note: refusal });
      if (b!.windowId !== null) await releaseUnits(tx, b!.windowId, b!.units);
    }
    if (status !== 'completed') return;
    // Issued as the lab issues it: results entered by one technician, verified by another, approved by the node's
    // signatory, and the report's content frozen from the booking (node, company, items, results) by the same code.
    const now = new Date();
    const conclusion = b!.kind === 'consultation' ? 'info' : 'pass';
    const items = await tx.select().from(bookingItems).where(eq(bookingItems.bookingId, bookingId)).orderBy(bookingItems.position);
    if (b!.kind === 'calibration') {
      // The lab's one series of certificate numbers per year: the next after the highest given.
      const prefix = `JD${today.slice(0, 4)}-`;
      const [last] = await tx.select({ no: max(results.certificateNo) }).from(results).where(like(results.certificateNo, `${prefix}%`));
      const after = last?.no ? Number(last.no.slice(prefix.length)) : 0;
      // 合格 from the data, as the lab's rule asks: check points within the MPE (src/seed/calibration-results.ts).
      const [service] = await tx.select({ code: services.code, category: services.instrumentCategoryCode }).from(services).where(eq(services.id, b!.serviceId));
      const [node] = await tx.select({ name: nodes.name }).from(nodes).where(eq(nodes.id, b!.nodeId));
      const rand = prng(bookingId);
      const conditions = demoConditions(await standardsInService(tx, b!.nodeId), { nodeId: b!.nodeId, category: service?.category ?? null, day: today, place: `${node?.name ?? ''}实验室` }, rand);
      await insertRows(tx, results, items.map((item, k) => ({ bookingId, bookingItemId: item.id, conclusion: 'pass', certificateNo: `${prefix}${String(after + k + 1).padStart(6, '0')}`, nextDueDate: addDays(addMonths(today, 12), -1), conditions, ...demoCalibration(service?.code ?? '', 'pass', rand) })));
    }
    await tx
      .update(bookings)
      .set({ conclusion, resultsBy: tester!.id, resultsAt: now, verifiedBy: verifier!.id, verifiedAt: now, receivedAt: b!.receivedAt ?? now, reportedAt: now, turnaroundDays: 0, onTime: true, ...(b!.kind === 'consultation' ? { conclusionRemark: '已就企业问题给出书面建议，详见咨询记录。' } : {}) })
      .where(eq(bookings.id, bookingId));
    // Issued by the lab's own code: signatory checked, the number next in the service's series of the year.
    const view = (await findBookingByNumber(tx, b!.number))!;
    const approver = asPrincipal({ ...(await tx.select().from(users).where(eq(users.id, manager!.id)))[0]!, unread: 0 });
    const { bookingPrefix } = (await findServiceByCode(tx, svc!.code))!;
    await issueFirstVersion({ clock: { now: () => now } }, tx, view, approver, bookingPrefix, {});
    await afterBookingCompleted(tx, bookingId);
  });
}

/**
 * Demo chains in every state: all steps booked; first step done and the next scheduled; a step refused (on the
 * coordinator's board); one 待前序完成; one completed and rated; one filed under a bundle version since revised.
 */
export async function seedDemoChains(db: Db, now: Date = new Date()): Promise<{ chains: number }> {
  if ((await db.$count(chainRequests)) > 0) return { chains: 0 };
  const clock = { now: () => now };
  const chains = makeChainsService({ db, clock, availability: makeAvailability({ db, clock, horizonDays: 60 }), reference: makeReferenceData(db) });
  // Coordinators: a city-centre colleague and the platform administrator.
  await db.update(users).set({ coordinatorSince: now }).where(and(inArray(users.mobile, ['13900000042', '13900000001']), isNull(users.coordinatorSince)));
  const shipyard = await principalOf(db, '13900000101');
  const bunker = await principalOf(db, '13900000301');
  const [centre, metrology, putuo, oillab] = (await Promise.all(['ZS-CENTRE', 'ZS-METROLOGY', 'ST-PUTUO', 'ZS-OILLAB'].map((c) => nodeIdOf(db, c)))) as [number, number, number, number];
  let k = 0;
  const key = () => `demo-chain-${String(++k).padStart(4, '0')}-seed`;
  const common = (who: string, mobile: string) => ({ contactName: who, contactMobile: mobile, description: '新产品为船用压力管路附件，计划明年一季度上市，需要确认适用标准并完成相关检定和认证准备。' });

  const newProduct = async (slotTurn: number) => {
    const plan = await chains.plan(shipyard, 'NEW-PRODUCT');
    const nodeFor = [centre, centre, metrology, centre];
    const body: Record<string, unknown> = { bundle: 'NEW-PRODUCT', idempotencyKey: key(), ...common('张伟', '13900000101') };
    for (const [i, s] of plan.steps.entries()) {
      const p = i + 1;
      const choice = s.nodes.find((x) => x.id === nodeFor[i]) ?? s.nodes[0]!;
      body[`s${p}_node`] = String(choice.id);
      body[`s${p}_slot`] = p === 2 || p === 4 ? 'later' : (choice.windows[slotTurn] ?? choice.windows[0])!.value;
    }
    Object.assign(body, { s3_instrumentName: '一般压力表', s3_serialNo: `PG-2026-${100 + slotTurn}`, s3_quantity: '2' });
    return (await chains.file(shipyard, body)).number;
  };
  const exportCert = async (slotTurn: number) => {
    const plan = await chains.plan(shipyard, 'EXPORT-CERT');
    const body: Record<string, unknown> = { bundle: 'EXPORT-CERT', idempotencyKey: key(), ...common('刘芳', '13900000102'), s2_instrumentName: '电子天平', s2_serialNo: `EB-${300 + slotTurn}`, s2_quantity: '1' };
    const nodeFor = [centre, putuo, putuo];
    let latest = '';
    for (const s of plan.steps) {
      const choice = s.nodes.find((x) => x.id === nodeFor[s.position - 1]) ?? s.nodes[0]!;
      body[`s${s.position}_node`] = String(choice.id);
      // the last step after both others: its first window on a later day
      const w = s.position === 3 ? (choice.windows.find((x) => x.value.slice(0, 10) > latest) ?? choice.windows.at(-1)) : (choice.windows[slotTurn] ?? choice.windows[0]);
      body[`s${s.position}_slot`] = s.position === 3 && !choice.windows.some((x) => x.value.slice(0, 10) > latest) ? 'later' : w!.value;
      if (w!.value.slice(0, 10) > latest) latest = w!.value.slice(0, 10);
    }
    return (await chains.file(shipyard, body)).number;
  };
  const oil = async () => {
    const plan = await chains.plan(bunker, 'OIL-TRADE');
    const s1 = plan.steps[0]!.nodes.find((x) => x.id === oillab) ?? plan.steps[0]!.nodes[0]!;
    const body: Record<string, unknown> = {
      bundle: 'OIL-TRADE', idempotencyKey: key(), contactName: '黄海', contactMobile: '13900000301', description: '保税燃料油交付前检测，买方要求硫含量按排放控制区限值复检，如有争议申请技术帮扶。',
      s1_node: String(s1.id), s1_slot: s1.windows[0]!.value,
      s2_node: String(plan.steps[1]!.nodes[0]!.id), s2_slot: 'later', s3_node: String(plan.steps[2]!.nodes[0]!.id), s3_slot: 'later',
    };
    const sample = { sampleName: 'VLSFO 低硫燃料油', gradeCode: 'ISO8217-RMG380', specEdition: 'ISO 8217:2017', sulphurRequirement: 'global', sourceType: 'barge', sourceName: '舟港油 18', samplingDate: now.toISOString().slice(0, 10), quantity: '1', sealNo: 'ZS-0012345' };
    for (const [f, v] of Object.entries(sample)) body[`s1_${f}`] = v;
    // the recheck is of the same sample, as a company files it: 同一份样品, its own package and sulphur requirement
    Object.assign(body, { s1_packageCode: 'PKG-RM-FULL', s2_sameSampleAs: '1', s2_packageCode: 'PKG-MARPOL-S', s2_sulphurRequirement: 'eca' });
    return (await chains.file(bunker, body)).number;
  };

  const stepsOf = async (number: string) => {
    const found = (await chainsRepo.findChain(db, number))!;
    return db.select().from(chainSteps).where(eq(chainSteps.chainId, found.chain.id)).orderBy(chainSteps.position);
  };
  // 1. just filed: booked steps and 待前序完成 ones.
  await newProduct(0);
  // 2. first steps done: their successor is scheduled automatically.
  const moving = await newProduct(1);
  for (const s of await stepsOf(moving)) if (s.position === 1 && s.bookingId) await settle(db, s.bookingId, 'completed');
  await chains.scheduleReady();
  // 3. a refused step: shows on the coordinator's board for re-routing.
  const stalled = await exportCert(0);
  const refused = (await stepsOf(stalled)).find((s) => s.position === 2);
  if (refused?.bookingId) await settle(db, refused.bookingId, 'rejected');
  // 4. everything done and rated.
  const done = await exportCert(1);
  for (let round = 0; round < 3; round++) {
    for (const s of await stepsOf(done)) if (s.bookingId && s.state === 'booked') await settle(db, s.bookingId, 'completed');
    await chains.scheduleReady();
  }
  await chains.rate(shipyard, done, { level: '5', comment: '三个环节一次申请办完，进度一目了然。' });
  // 5. the oil chain, in the lab.
  const oilChain = await oil();
  const first = (await stepsOf(oilChain))[0];
  if (first?.bookingId) await settle(db, first.bookingId, 'in_progress');
  // The export bundle is revised afterwards: the chains above stay on version 1.
  const admin = await principalOf(db, '13900000001');
  const form = await chains.bundleForm(admin, 'EXPORT-CERT');
  await chains.saveBundle(admin, 'EXPORT-CERT', { ...form.values, summary: `${form.values.summary ?? ''}对标结果经标准化专家复核后，再进入体系认证辅导。` });
  return { chains: 5 };
}
