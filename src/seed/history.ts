import { randomBytes } from 'node:crypto';
import { and, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { addWorkingDays, dayInfo, isWorkingDay, workingDaysBetween } from '../calendar/workdays.js';
import { ownWindowsOf } from '../capacity/capacity.repo.js';
import { ownWindowsOn } from '../capacity/windows.js';
import { creditCodeCheckChar } from '../enterprises/credit-code.js';
import { hashPassword } from '../auth/password.js';
import { describeLimit } from '../lab/judgement.js';
import { demoOilResult } from './oil-results.js';
import { estimateFee, type FeeQuery } from '../fees/estimate.js';
import { pricesInForce, type PriceRow } from '../fees/fees.repo.js';
import { PAYMENT_METHODS, yuan } from '../fees/fees.view.js';
import { demoCalibration, demoConditions, demoInstrument } from './calibration-results.js';
import { metrologyBasis } from '../catalog/metrology-basis.js';
import { limitFor, type LimitRow } from '../lab/limits.js';
import { newVerificationCode } from '../reports/reports.service.js';
import { layOilSamples, type SampleItem } from '../reports/content.js';
import { addDays, addMonths, daysBetween, shanghaiDate, instantOf } from '../shared/time.js';
import { insertRows } from '../db/bulk-insert.js';
import { raiseCounters } from './counters.js';
import type { Db } from '../db/client.js';
import {
  bookingFees,
  bookingItems,
  bookings,
  capacityWindows,
  enterprises,
  evaluations,
  events,
  instrumentCategories,
  measurementStandards,
  nodes,
  nodeServices,
  notifications,
  oilLimits,
  oilPackages,
  oilGrades,
  oilTestItems,
  parks,
  reports,
  results,
  serviceCategories,
  services,
  users,
} from '../db/schema.js';
import { EVENT_LABELS, type BookingStatus } from '../bookings/lifecycle.js';

/**
 * A realistic demo history: about fourteen months of bookings at every node, in every state, with their timelines,
 * results, reports, evaluations and notifications — written directly in batches (the lifecycle code would take minutes
 * for hundreds of bookings). It keeps the invariants the application keeps: capacity used equals the units of live
 * bookings of each window and never exceeds it, numbers are unique and the counters continue after them, reports can be
 * verified. Deterministic for a given "now" (seeded pseudo-random numbers).
 */

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '郑', '梁', '谢', '宋', '唐', '许', '邓', '冯', '韩', '曹', '曾'];
const GIVEN_NAMES = ['建华', '海燕', '志强', '秀英', '国庆', '丽娟', '文斌', '晓东', '春梅', '伟', '静', '磊', '敏', '军', '洋', '婷', '勇', '艳', '杰', '娜'];

/** A plausible contact name for the n-th extra demo company (not a placeholder that reads like a label). */
function contactNameOf(n: number): string {
  return SURNAMES[n % SURNAMES.length]! + GIVEN_NAMES[(n * 7 + 3) % GIVEN_NAMES.length]!;
}

/** The instant itself when it falls in a working day's office hours (08:30–17:30 Shanghai), else the next working morning. */
function onDuty(ms: number): number {
  const day = shanghaiDate(new Date(ms));
  const minutes = Math.floor(((ms + 8 * 3600_000) % 86_400_000) / 60_000);
  if (isWorkingDay(day) && minutes >= 8 * 60 + 30 && minutes < 17 * 60 + 30) return ms;
  let next = minutes >= 17 * 60 + 30 || !isWorkingDay(day) ? addDays(day, 1) : day;
  while (!isWorkingDay(next)) next = addDays(next, 1);
  return instantOf(next, '08:30').getTime() + (ms % 40) * 60_000; // some minutes into the morning, varying
}

/** Seeded pseudo-random numbers in [0, 1) (mulberry32): the same demo data for the same "now". */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EXTRA_COMPANIES = [
  ['舟山中远海运重工有限公司', 'P-DINGHAI'], ['舟山长宏国际船舶修造有限公司', 'P-DINGHAI'], ['定海海洋生物科技有限公司', 'P-DINGHAI'], ['舟山恒泰机械制造有限公司', 'P-DINGHAI'],
  ['普陀海福水产有限公司', 'P-PUTUO'], ['舟山兴业冷链物流有限公司', 'P-PUTUO'], ['普陀海源远洋渔业有限公司', 'P-PUTUO'], ['舟山宏达船舶配件有限公司', 'P-PUTUO'],
  ['浙江石油化工有限公司', 'P-GREENPETRO'], ['舟山鱼山化工仓储有限公司', 'P-GREENPETRO'], ['岱山精细化工有限公司', 'P-GREENPETRO'], ['舟山石化检修服务有限公司', 'P-GREENPETRO'],
  ['嵊泗海港物流有限公司', 'P-SHENGSI'], ['嵊泗海鲜市场经营管理有限公司', 'P-SHENGSI'], ['嵊泗菜园加油站有限公司', 'P-SHENGSI'],
  ['舟山航空产业发展有限公司', 'P-ZSEDZ'], ['舟山新城电子科技有限公司', 'P-ZSEDZ'], ['舟山医疗器械检验服务有限公司', 'P-ZSEDZ'], ['新城检测仪器有限公司', 'P-ZSEDZ'],
  ['舟山国际燃料油供应有限公司', 'P-FTZ'], ['中石化舟山燃料油销售有限公司', 'P-FTZ'], ['舟山保税油品贸易有限公司', 'P-FTZ'], ['舟山港海通轮驳有限公司', 'P-FTZ'],
  ['舟山市自来水有限公司', null], ['舟山市燃气有限公司', null], ['舟山市第一人民医院', null],
] as const;

const EXCELLENT = ['送检方便，出证及时', '工作人员很专业，解答耐心', '比以前跑好几个部门省事多了', '上门服务准时，点赞', '报告验证很方便'];
const AVERAGE = ['整体还可以，希望时段再多一些', '受理有点慢', '希望能开通短信提醒'];
const POOR = ['报告比承诺时间晚了两天', '电话一直占线'];

/** 强检 or not, with a use that fits it: a compulsory instrument serves trade or safety, a non-compulsory one the process. */
function compulsoryUse(compulsory: boolean, pick: <T>(list: readonly T[]) => T): { compulsory: boolean; intendedUse: string } {
  return { compulsory, intendedUse: pick(compulsory ? ['安全防护', '贸易结算', '安全防护'] : ['工艺监控', '工艺监控', '工艺监控']) };
}

/** What companies ask each consultation service, and what the consultation record says was advised. */
interface Consultation {
  topic: string;
  asked: string;
  advised: string;
}
const ENTERPRISE_STANDARD: Consultation = {
  topic: '企业标准编制指导',
  asked: '新产品拟制定企业标准，请协助确定标准结构和主要技术指标，并说明自我声明公开的要求。',
  advised: '已对照 GB/T 1.1—2020 审阅企业标准草案，就范围、术语、技术要求和试验方法提出修改意见 6 条；建议主要技术指标不低于相关国家标准，完成型式试验验证后在企业标准信息公共服务平台自我声明公开。',
};
const systemAudit = (name: string, standard: string): Consultation => ({
  topic: `${name}认证前诊断`,
  asked: `计划申请${name}认证，请在认证审核前对现有体系文件和运行记录进行诊断。`,
  advised: `已按 ${standard} 条款逐项诊断体系文件和近三个月运行记录，发现不符合项 4 项（文件控制、内部审核、纠正措施、监视和测量），已给出整改建议，整改完成后可申请第一阶段审核。`,
});
const CONSULTATIONS: Record<string, Consultation> = {
  'BZ-ENTSTD': ENTERPRISE_STANDARD,
  'BZ-GROUPSTD': { ...ENTERPRISE_STANDARD, topic: '团体标准立项与编制指导', asked: '协会拟牵头制定一项团体标准，请说明立项、征求意见和发布的程序。', advised: '已介绍 GB/T 20004.1—2016 规定的团体标准制定程序，审阅立项建议书并提出补充意见 3 条；建议征求意见覆盖上下游企业和检测机构，发布后在全国团体标准信息平台公开。' },
  'BZ-LOOKUP': { topic: '标准查新与有效性确认', asked: '请核对企业在用的 23 项标准是否现行有效，并列出替代标准。', advised: '已逐项查新：现行有效 19 项，已废止或被替代 4 项（已列出替代标准及实施日期），建议在下次文件评审时更新受控标准清单。' },
  'BZ-BENCH': { topic: '对标国际先进标准', asked: '产品拟出口欧盟，请对照国外标准分析现行企业标准的差距。', advised: '已将企业标准与对应的 EN / ISO 标准逐项比对，列出技术指标差异 5 项、试验方法差异 3 项，建议补充相关型式试验并修订企业标准，必要时委托具备资质的检测机构出具报告。' },
  'RZ-ISO9001': systemAudit('ISO 9001 质量管理体系', 'GB/T 19001—2016'),
  'RZ-ISO14001': systemAudit('ISO 14001 环境管理体系', 'GB/T 24001—2016'),
  'RZ-ISO45001': systemAudit('ISO 45001 职业健康安全管理体系', 'GB/T 45001—2020'),
  'RZ-CCC': { topic: 'CCC 认证咨询', asked: '新产品是否属于强制性产品认证目录，如需认证请说明申请流程和所需资料。', advised: '已对照强制性产品认证目录确认该产品属于目录范围，说明了申请、型式试验、工厂检查和获证后监督的流程，并提供申请资料清单。' },
  'RZ-CMA': { topic: '检验检测机构资质认定咨询', asked: '企业实验室拟申请检验检测机构资质认定（CMA），请指导准备工作。', advised: '已对照《检验检测机构资质认定评审准则》梳理人员、设备、环境和管理体系要求，指出需补充的仪器检定校准记录和能力验证计划，建议完成一次内部审核和管理评审后提交申请。' },
  'ZX-DIAG': { topic: '产品质量问题分析', asked: '近期一批产品在客户处出现渗漏，请协助分析原因并提出改进措施。', advised: '已现场查看不合格品和生产记录，初步判断为密封件材料批次差异和装配扭矩控制不稳定所致；建议对该批密封件进行复检，装配工序使用经检定合格的扭矩扳子并记录扭矩值，改进后抽样进行耐压试验验证。' },
};
/** The consultation of a service (another consultation service: a question on standards in general). */
const consultationOf = (serviceCode: string): Consultation => CONSULTATIONS[serviceCode] ?? ENTERPRISE_STANDARD;

export async function seedDemoHistory(db: Db, now: Date = new Date()): Promise<{ bookings: number }> {
  if ((await db.$count(bookings)) > 0) return { bookings: 0 };
  const rand = prng(20261127);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const chance = (p: number) => rand() < p;
  // The oil results' values come from a sequence of their own: the history's bookings do not depend on them.
  const valueRand = prng(20261204);
  const today = shanghaiDate(now);
  // The place, environment and measurement standards of each certificate, from a sequence of their own too.
  const envRand = prng(20261205);
  const inService = await db.select().from(measurementStandards).where(isNull(measurementStandards.retiredAt));

  // Extra companies, so the dashboards show a city, not four firms.
  const parkIds = new Map((await db.select({ id: parks.id, code: parks.code }).from(parks)).map((p) => [p.code, p.id]));
  const since = instantOf(addMonths(shanghaiDate(now), -15), '09:00');
  const extraCompanies = EXTRA_COMPANIES.map(([name, park], i) => {
    const body = `913309${String(10 + (i % 4)).padStart(2, '0')}MA2E${String(1000 + i).padStart(4, '0')}X`.slice(0, 17);
    return { name, creditCode: body + creditCodeCheckChar(body), parkId: park ? parkIds.get(park)! : null, address: '舟山市' + (park ?? '定海区') + '（演示数据）', createdAt: since };
  });
  await insertRows(db, enterprises, extraCompanies, { onConflict: { doNothing: true } });
  const companies = await db.select({ id: enterprises.id, name: enterprises.name, parkId: enterprises.parkId, creditCode: enterprises.creditCode }).from(enterprises);
  // Each extra company gets one account (not a demo login: its password is random and never shown).
  const unusable = await hashPassword(randomBytes(18).toString('base64url'));
  const withAccounts = new Set((await db.selectDistinct({ id: users.enterpriseId }).from(users).where(isNotNull(users.enterpriseId))).map((r) => r.id));
  const accounts = [...companies.entries()]
    .filter(([, c]) => !withAccounts.has(c.id))
    .map(([i, c]) => ({ role: 'enterprise' as const, name: contactNameOf(i), mobile: `1380009${String(1000 + i).slice(-4)}`, passwordHash: unusable, enterpriseId: c.id }));
  await insertRows(db, users, accounts, { onConflict: { doNothing: true } });
  const companyUsers = await db.select({ id: users.id, enterpriseId: users.enterpriseId, name: users.name, mobile: users.mobile }).from(users).where(eq(users.role, 'enterprise'));
  const staff = await db.select({ id: users.id, nodeId: users.nodeId, name: users.name, role: users.role }).from(users).where(inArray(users.role, ['lab_staff', 'node_manager']));
  const offerings = await db
    .select({ ns: nodeServices, node: nodes, service: services, prefix: serviceCategories.bookingPrefix, period: instrumentCategories.periodMonths, compulsory: instrumentCategories.compulsory })
    .from(nodeServices)
    .innerJoin(nodes, eq(nodes.id, nodeServices.nodeId))
    .innerJoin(services, eq(services.id, nodeServices.serviceId))
    .innerJoin(serviceCategories, eq(serviceCategories.code, services.categoryCode))
    .leftJoin(instrumentCategories, eq(instrumentCategories.code, services.instrumentCategoryCode))
    .where(and(eq(nodeServices.active, true), eq(nodes.active, true)));
  const packages = new Map((await db.select().from(oilPackages)).map((p) => [p.code, p]));
  const itemRows = await db.select().from(oilTestItems);
  const items = new Map(itemRows.map((i) => [i.code, i]));
  const itemNames = Object.fromEntries(itemRows.map((i) => [i.code, i.name]));
  const limitRows: LimitRow[] = await db.select().from(oilLimits);
  // Offerings with their own windows (the oil lab's day and night reception) are booked in those.
  const ownWindows = await ownWindowsOf(db, offerings.map((o) => o.ns.id));
  const gradeRows = new Map((await db.select().from(oilGrades)).map((g) => [g.code, g]));

  // Weighted choice of offering: the labs carry most of the work; common instruments are common.
  const COMMON = new Set(['CAL-PG', 'CAL-DIS', 'CAL-EBAL', 'CAL-CGD', 'CAL-FD', 'CAL-LIGT', 'CAL-TW', 'CAL-BP', 'YP-ISO8217', 'YP-MARPOL', 'BZ-ENTSTD', 'RZ-ISO9001']);
  const weighted = offerings.flatMap((o) => {
    const w = (COMMON.has(o.service.code) ? 6 : 1) * (o.node.kind === 'lab' ? 3 : 1);
    return Array.from({ length: w }, () => o);
  });
  const staffOf = (nodeId: number) => staff.filter((s) => s.nodeId === nodeId);
  type StaffRow = (typeof staff)[number];

  const windowUse = new Map<string, { nsId: number; date: string; window: string; capacity: number; used: number }>();
  const counters = new Map<string, number>();
  const newBookings: (typeof bookings.$inferInsert)[] = [];
  type Extra = {
    items: Omit<typeof bookingItems.$inferInsert, 'bookingId'>[];
    events: Omit<typeof events.$inferInsert, 'entityId'>[];
    results: (grade: string | null, itemIds: number[]) => Omit<typeof results.$inferInsert, 'bookingId'>[];
    report?: { approverId: number; testerId: number; verifierId: number; issuedAt: Date; conclusion: string };
    evaluation?: { level: number; comment: string; userId: number; createdAt: Date };
    notifyUserIds: number[];
  };
  const extras: Extra[] = [];

  // Shanghai dates and instants by arithmetic (UTC+8 all year since 1992): a dayjs time-zone object per step cost
  // a fifth of a first start's history.
  const HOUR = 3600_000;
  const startDay = addMonths(today, -14);
  const totalDays = daysBetween(startDay, today);
  const TARGET = 640;
  const RECENT = 90; // the last two weeks, so every queue has work in it
  for (let n = 0; n < TARGET + RECENT; n++) {
    // Submission time: spread over the period, busier in recent months (the platform grows).
    const dayOffset = n < TARGET ? Math.floor(Math.pow(rand(), 0.75) * totalDays) : totalDays - Math.floor(rand() * 14);
    let createdDay = addDays(startDay, dayOffset);
    while (!isWorkingDay(createdDay)) createdDay = addDays(createdDay, 1);
    const hour = 8 + Math.floor(rand() * 9);
    const created = instantOf(createdDay, `${String(hour).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}`).getTime();
    if (created > now.getTime()) continue;
    const o = pick(weighted);
    const kind = o.service.bookingKind;
    const company = kind === 'oil_test' ? pick(companies.filter((c) => /燃料|石化|油|港|化工|海运|船/.test(c.name))) : pick(companies);
    const creator = companyUsers.find((u) => u.enterpriseId === company.id);
    const nodeStaff = staffOf(o.node.id);
    // Three people sign each report: two technicians test and verify, the node manager (its signatory) approves.
    const approver = nodeStaff.find((s) => s.role === 'node_manager');
    const technicians = nodeStaff.filter((s) => s.role === 'lab_staff');
    if (!creator || !approver || technicians.length < 2) continue;

    const leadDays = 1 + Math.floor(rand() * 6);
    const date = addWorkingDays(createdDay, leadDays);
    const own = ownWindowsOn(ownWindows.filter((w) => w.nodeServiceId === o.ns.id), date, dayInfo(date));
    const window = kind === 'consultation' ? pick(o.ns.slotTimes ?? ['09:00']) : own.length ? pick(own).key : chance(0.55) ? 'am' : 'pm';
    const units = kind === 'consultation' ? 1 : kind === 'oil_test' ? 1 + Math.floor(rand() * 2) : 1 + Math.floor(rand() * 4);
    const capacity = kind === 'consultation' ? o.ns.slotCapacity : (own.find((w) => w.key === window)?.capacity ?? (window === 'am' ? o.ns.capacityAm : o.ns.capacityPm));
    const key = `${o.ns.id}|${date}|${window}`;
    const slot = windowUse.get(key) ?? { nsId: o.ns.id, date, window, capacity, used: 0 };
    if (slot.used + units > slot.capacity) continue;

    // Where is it now? Old bookings are done (or were cancelled/rejected); recent ones are at every stage.
    const age = daysBetween(date, today); // days since the booked window
    let status: BookingStatus;
    const r = rand();
    if (r < 0.06) status = 'cancelled';
    else if (r < 0.1) status = 'rejected';
    else if (age < 0) status = pick(['submitted', 'submitted', 'accepted', 'accepted', 'needs_info'] as const);
    else if (age <= 2) status = pick(['accepted', 'received', 'in_progress'] as const);
    else if (age <= 6) status = pick(['in_progress', 'to_verify', 'verified', 'reported', 'reported'] as const);
    else if (age <= 12) status = pick(['reported', 'completed', 'completed', 'completed'] as const);
    else status = 'completed';

    const tech = pick(technicians);
    const verifier = pick(technicians.filter((s) => s.id !== tech.id));
    const ev: Extra['events'] = [];
    // Nothing in the history happens after "now" (a booking submitted this morning is not accepted tonight).
    const at = (ms: number) => new Date(Math.min(ms, now.getTime()));
    const submittedAt = created;
    ev.push({ at: at(submittedAt), actorUserId: creator.id, entityType: 'booking', action: 'booking.submitted', toState: 'submitted' });
    const booking: typeof bookings.$inferInsert = {
      number: '',
      kind,
      enterpriseId: company.id,
      parkId: company.parkId,
      nodeId: o.node.id,
      serviceId: o.service.id,
      nodeServiceId: o.ns.id,
      date,
      window,
      units,
      status,
      deliveryMode: kind === 'consultation' ? pick(o.service.deliveryModes) : o.service.deliveryModes.includes('send_in') && chance(0.8) ? 'send_in' : o.service.deliveryModes[0]!,
      contactName: creator.name,
      contactMobile: creator.mobile,
      remarks: '',
      createdBy: creator.id,
      idempotencyKey: randomBytes(12).toString('base64url'),
      submittedAt: at(submittedAt),
      createdAt: at(submittedAt),
      updatedAt: at(submittedAt),
    };
    if (booking.deliveryMode === 'on_site') booking.onsiteAddress = '舟山市定海区（演示地址）';

    const reachedAccept = !['submitted', 'needs_info', 'cancelled', 'rejected'].includes(status) || (status === 'cancelled' && chance(0.3));
    // Staff accept within working hours, and before the instruments or samples are received at the booked window.
    const receivedAt = instantOf(date, window === 'pm' ? '14:10' : window === 'am' ? '09:20' : window.slice(0, 5)).getTime();
    const acceptedAt = Math.min(onDuty(submittedAt + (2 + Math.floor(rand() * 20)) * HOUR), receivedAt - 50 * 60_000);
    if (status === 'needs_info') {
      ev.push({ at: at(acceptedAt), actorUserId: tech.id, entityType: 'booking', action: 'booking.needs_info', fromState: 'submitted', toState: 'needs_info', note: '请补充上次检定证书或器具照片' });
    }
    if (status === 'rejected') {
      ev.push({ at: at(acceptedAt), actorUserId: tech.id, entityType: 'booking', action: 'booking.reject', fromState: 'submitted', toState: 'rejected', note: '该规格超出本网点检定能力，请预约市计量院' });
      booking.closedAt = at(acceptedAt);
    }
    if (reachedAccept) {
      const acceptedDay = shanghaiDate(at(acceptedAt));
      booking.acceptedAt = at(acceptedAt);
      booking.dueDate = addWorkingDays(date > acceptedDay ? date : acceptedDay, o.service.turnaroundDays);
      ev.push({ at: at(acceptedAt), actorUserId: tech.id, entityType: 'booking', action: 'booking.accept', fromState: 'submitted', toState: 'accepted', data: { dueDate: booking.dueDate } });
    }
    if (status === 'cancelled') {
      const from = reachedAccept ? 'accepted' : 'submitted';
      const when = reachedAccept ? acceptedAt + 5 * HOUR : submittedAt + 3 * HOUR;
      ev.push({ at: at(when), actorUserId: creator.id, entityType: 'booking', action: 'booking.cancel', fromState: from, toState: 'cancelled', note: pick(['设备临时调拨', '已在外地完成检定', '生产计划调整，改期再约']) });
      booking.closedAt = at(when);
    }
    const order: BookingStatus[] = ['accepted', 'received', 'in_progress', 'to_verify', 'verified', 'reported', 'completed'];
    const reached = (s: BookingStatus) => order.indexOf(status) >= order.indexOf(s) && order.includes(status);
    // Turnaround: mostly within the promise, some late.
    const dueOffset = chance(0.85) ? Math.floor(rand() * o.service.turnaroundDays) : o.service.turnaroundDays + 1 + Math.floor(rand() * 3);
    const workStart = date > shanghaiDate(at(acceptedAt)) ? date : shanghaiDate(at(acceptedAt));
    const reportedDay = addWorkingDays(workStart, Math.max(1, dueOffset));
    const reportedAt = instantOf(reportedDay, `15:${String(5 + (n % 50)).padStart(2, '0')}`).getTime();
    if (reached('received')) {
      booking.receivedAt = at(receivedAt);
      ev.push({ at: at(receivedAt), actorUserId: tech.id, entityType: 'booking', action: 'booking.receive', fromState: 'accepted', toState: 'received' });
    }
    if (reached('in_progress')) {
      booking.assignedTo = tech.id;
      ev.push({ at: at(receivedAt + 40 * 60_000), actorUserId: tech.id, entityType: 'booking', action: 'booking.start', fromState: 'received', toState: 'in_progress', note: `${kind === 'consultation' ? '承办人员' : '检测人员'}：${tech.name}` });
    }
    const resultsAt = reportedAt - 5 * HOUR;
    if (reached('to_verify')) {
      booking.resultsBy = tech.id;
      booking.resultsAt = at(resultsAt);
      ev.push({ at: at(resultsAt), actorUserId: tech.id, entityType: 'booking', action: 'booking.submit_results', fromState: 'in_progress', toState: 'to_verify' });
    }
    if (reached('verified')) {
      booking.verifiedBy = verifier.id;
      booking.verifiedAt = at(resultsAt + 2 * HOUR);
      ev.push({ at: at(resultsAt + 2 * HOUR), actorUserId: verifier.id, entityType: 'booking', action: 'booking.verify', fromState: 'to_verify', toState: 'verified' });
    }
    let report: Extra['report'];
    if (reached('reported')) {
      if (reportedAt > now.getTime()) continue; // would be in the future: drop this one
      booking.reportedAt = at(reportedAt);
      booking.turnaroundDays = workingDaysBetween(shanghaiDate(at(acceptedAt)), reportedDay);
      booking.onTime = reportedDay <= booking.dueDate!;
      ev.push({ at: at(reportedAt), actorUserId: approver.id, entityType: 'booking', action: 'booking.issue_report', fromState: 'verified', toState: 'reported' });
      report = { approverId: approver.id, testerId: tech.id, verifierId: verifier.id, issuedAt: at(reportedAt), conclusion: 'pass' };
    }
    let evaluation: Extra['evaluation'];
    if (status === 'completed') {
      const completedAt = reportedAt + (1 + Math.floor(rand() * 6)) * 86_400_000;
      if (completedAt > now.getTime()) {
        booking.status = 'reported';
        status = 'reported';
      } else {
        booking.completedAt = at(completedAt);
        booking.closedAt = at(completedAt);
        ev.push({ at: at(completedAt), actorUserId: chance(0.7) ? creator.id : null, entityType: 'booking', action: 'booking.complete', fromState: 'reported', toState: 'completed' });
        if (chance(0.62)) {
          const late = booking.onTime === false;
          const level = late ? pick([2, 3, 3, 4]) : pick([5, 5, 5, 5, 4, 4, 4, 3]);
          evaluation = { level, comment: level >= 4 ? pick(EXCELLENT) : level === 3 ? pick(AVERAGE) : pick(POOR), userId: creator.id, createdAt: at(completedAt + 2 * HOUR) };
          ev.push({ at: evaluation.createdAt, actorUserId: creator.id, entityType: 'booking', action: 'booking.evaluated', data: { level } });
        }
      }
    }

    // Items and their results.
    const bookingItemsList: Extra['items'] = [];
    // What the service's certificates can be (the lab's rule, src/lab/results.ts): only a 校准证书 where the service has
    // no 检定规程 (JJG); a 强检 instrument — only of a category in the catalogue, with a JJG — is verified.
    const basis = metrologyBasis(o.service.standards);
    const onlyCalibration = basis.calibrationOnly;
    const mayBeCompulsory = basis.regulations.length > 0 && (o.compulsory === 'yes' || o.compulsory === 'conditional');
    if (kind === 'calibration') {
      for (let i = 0; i < units; i++) {
        bookingItemsList.push({ position: i + 1, quantity: 1, instrumentName: o.service.name.replace(/ 检定\/校准$/, ''), serialNo: `${o.service.code.slice(4)}-${createdDay.slice(2, 4)}${createdDay.slice(5, 7)}-${String(n).padStart(3, '0')}${i}`, ...demoInstrument(o.service.code, pick), ...compulsoryUse(chance(0.6) && mayBeCompulsory, pick), labelCode: reached('received') ? `${createdDay.replaceAll('-', '')}-${n}-${i + 1}` : null, conditionOnReceipt: reached('received') ? '外观完好，附件齐全' : null });
      }
    } else if (kind === 'oil_test') {
      const grade = pick(o.service.gradeCodes ?? ['ISO8217-RMG380']);
      const gradeRow = gradeRows.get(grade);
      const family = gradeRow?.family ?? 'marine-residual';
      const pkgCode = (o.service.packageCodes ?? []).find((c) => { const p = packages.get(c); return p?.gradeFamilies.includes(family) && (!p.gradeCodes || p.gradeCodes.includes(grade)); }) ?? o.service.packageCodes?.[0];
      const pkg = pkgCode ? packages.get(pkgCode) : undefined;
      const marine = family.startsWith('marine');
      const residual = family === 'marine-residual' ? pick(['VLSFO', 'HSFO'] as const) : null;
      const gradeVariant = gradeRow?.variants.length ? pick(gradeRow.variants).code : null;
      const drawn = marine ? pick(['global', 'global', 'eca', 'none'] as const) : null;
      // The fuel's name follows what it must meet: a high-sulphur fuel is burnt only with a scrubber on board, a fuel
      // for an emission control area is an ultra-low-sulphur one.
      const sulphurRequirement = residual === 'HSFO' ? 'none' : residual && drawn === 'none' ? 'global' : drawn;
      const residualName = residual === 'HSFO' ? '高硫燃料油 HSFO' : sulphurRequirement === 'eca' ? '超低硫燃料油 ULSFO' : '低硫燃料油 VLSFO';
      bookingItemsList.push({
        position: 1,
        quantity: units,
        sampleName: marine ? (residual ? residualName : '船用馏分油 MGO') : family === 'diesel' ? '0号车用柴油' : family === 'gasoline' ? '92号车用汽油' : '在用润滑油',
        gradeCode: grade,
        specEdition: gradeRow?.editions[0] ?? null,
        gradeVariant,
        sulphurRequirement,
        bdnNo: marine ? `BDN-${createdDay.slice(2).replaceAll('-', '')}-${String(n).padStart(4, '0')}` : null,
        sourceType: pick(['ship', 'barge', 'tank'] as const),
        sourceName: pick(['舟港油 18', '海通 6', '鱼山 3# 罐', '东方之星']),
        samplingDate: addDays(createdDay, -1),
        sealNo: `ZS-${String(100000 + n)}`,
        packageCode: pkg?.code ?? null,
        testItemCodes: pkg?.itemCodes ?? [],
        labelCode: reached('received') ? `YP-S-${n}` : null,
        conditionOnReceipt: reached('received') ? '样品完好，封签完整' : null,
      });
    } else {
      const consultation = consultationOf(o.service.code);
      bookingItemsList.push({ position: 1, quantity: 1, topic: consultation.topic, description: consultation.asked, participants: pick([1, 1, 2]) + Math.floor(rand() * 2) });
    }
    const makeResults: Extra['results'] = (g, itemIds) => {
      if (!reached('to_verify')) return [];
      if (kind === 'calibration') {
        return itemIds.map((id, i) => {
          const drawn = chance(0.05) ? 'fail' : chance(0.2) ? 'calibrated' : 'pass';
          const conclusion = onlyCalibration ? 'calibrated' : drawn === 'calibrated' && bookingItemsList[i]?.compulsory ? 'pass' : drawn;
          const fail = conclusion === 'fail';
          const place = booking.deliveryMode === 'on_site' ? `委托方现场（${booking.onsiteAddress ?? ''}）` : `${o.node.name}实验室`;
          const conditions = demoConditions(inService, { nodeId: o.node.id, category: o.service.instrumentCategoryCode, day: today, place }, envRand);
          // valid for the regulation's period counted from the day of issue, the day before the same date (as the lab's form)
          return { bookingItemId: id, conclusion, certificateNo: null /* numbered below, in the order the results were entered */, nextDueDate: fail ? null : addDays(addMonths(reportedDay, o.period ?? 12), -1), conditions, ...demoCalibration(o.service.code, conclusion, valueRand) };
        });
      }
      if (kind === 'oil_test' && g) {
        const sampleId = itemIds[0]!;
        const codes = bookingItemsList[0]!.testItemCodes ?? [];
        const earlier = new Map<string, number>();
        return codes.map((code) => {
          const item = items.get(code)!;
          const sample = bookingItemsList[0]!;
          const limit = limitFor(limitRows, code, { gradeCode: g, edition: sample.specEdition ?? null, variant: sample.gradeVariant ?? null, sulphurRequirement: sample.sulphurRequirement ?? null });
          // Values typical of the fuel, in the method's resolution; now and then a property is off specification.
          const r = demoOilResult(code, gradeRows.get(g)?.family ?? 'marine-residual', { sulphurRequirement: sample.sulphurRequirement ?? null, earlier }, limit, { min: item.plausibleMin, max: item.plausibleMax }, valueRand, valueRand() < 0.015);
          return { bookingItemId: sampleId, testItemCode: code, valueText: r.valueText, valueNumber: r.valueNumber, unit: item.unit, limitText: describeLimit(limit, item.unit), limitSource: limit ? `${limit.source}${limit.verified ? '' : '（待核实）'}` : null, judgement: r.judgement, judgementBasis: r.judgementBasis };
        });
      }
      return [];
    };
    if (reached('to_verify')) booking.conclusion = kind === 'consultation' ? 'info' : 'pass';
    if (kind === 'consultation' && reached('to_verify')) booking.conclusionRemark = consultationOf(o.service.code).advised;

    // Number: prefix, submission day, sequence of that day.
    const dayKey = `${o.prefix}|${createdDay}`;
    const seq = (counters.get(dayKey) ?? 0) + 1;
    counters.set(dayKey, seq);
    booking.number = `${o.prefix}-${createdDay.replaceAll('-', '')}-${String(seq).padStart(4, '0')}`;
    if (status !== 'cancelled' && status !== 'rejected') slot.used += units;
    windowUse.set(key, slot);

    const notifyUserIds = companyUsers.filter((u) => u.enterpriseId === company.id).map((u) => u.id);
    newBookings.push(booking);
    extras.push({ items: bookingItemsList, events: ev, results: makeResults, ...(report ? { report } : {}), ...(evaluation ? { evaluation } : {}), notifyUserIds });
  }

  await db.transaction(async (tx) => {
    // Windows first (bookings reference them).
    const windowIds = new Map<string, number>();
    const windowList = [...windowUse.entries()];
    const inserted = await insertRows(
      tx,
      capacityWindows,
      windowList.map(([, w]) => ({ nodeServiceId: w.nsId, date: w.date, window: w.window, capacity: w.capacity, used: w.used })),
      { returning: { id: capacityWindows.id } },
    );
    for (const [i, w] of inserted.entries()) {
      const [, row] = windowList[i]!;
      windowIds.set(`${row.nsId}|${row.date}|${row.window}`, w.id);
    }
    // Bulk inserts (a first start on a new data folder writes ~5 000 rows here): the rows as one JSON parameter per
    // statement, their ids given back in the order of the rows (src/db/bulk-insert.ts).
    for (const [i, b] of newBookings.entries()) {
      b.windowId = windowIds.get(`${b.nodeServiceId}|${b.date}|${b.window}`)!;
      if (extras[i]!.evaluation) b.evaluationLevel = extras[i]!.evaluation!.level;
    }
    const bookingIds = (await insertRows(tx, bookings, newBookings, { returning: { id: bookings.id } })).map((r) => r.id);
    const itemRows = newBookings.flatMap((_, i) => extras[i]!.items.map((it) => ({ ...it, bookingId: bookingIds[i]! })));
    const allItemIds = (await insertRows(tx, bookingItems, itemRows, { returning: { id: bookingItems.id } })).map((r) => r.id);
    const eventRows: (typeof events.$inferInsert)[] = [];
    const resultRows: (typeof results.$inferInsert)[] = [];
    const reportRows: (typeof reports.$inferInsert)[] = [];
    const evaluationRows: (typeof evaluations.$inferInsert)[] = [];
    const notificationRows: (typeof notifications.$inferInsert)[] = [];
    const conclusions: { id: number; conclusion: string }[] = [];
    const reportCounters = new Map<string, number>();
    // Each booking's fee as the lab handled it: estimated from the prices in force at submission, confirmed at
    // acceptance (a quote where a price is still 待公布), paid when the report was issued (free lines waived).
    const feeRows: (typeof bookingFees.$inferInsert)[] = [];
    const priceTargetsAll = [
      ...offerings.map((o) => ({ kind: 'service' as const, code: o.service.code })),
      ...[...packages.keys()].map((code) => ({ kind: 'oil_package' as const, code })),
      ...[...items.keys()].map((code) => ({ kind: 'oil_item' as const, code })),
    ];
    const pricesByNode = new Map<number, Map<string, PriceRow>>();
    for (const nodeId of new Set(newBookings.map((b) => b.nodeId))) pricesByNode.set(nodeId, await pricesInForce(tx, priceTargetsAll, today, nodeId));
    const paymentMethods = Object.keys(PAYMENT_METHODS).filter((m) => m !== 'other');
    // A sample as the report lays it out: the booking row with its grade's names.
    const sampleOf = (it: Extra['items'][number], id: number): SampleItem => {
      const g = it.gradeCode ? gradeRows.get(it.gradeCode) : undefined;
      return { ...it, id, gradeName: g?.name, gradeNameEn: g?.nameEn, gradeVariants: g?.variants };
    };
    let itemCursor = 0;
    // Certificate numbers count per year in the order the results were entered (the technician gives each line its
    // number then), so they run with the dates of issue.
    const certificateOf = new Map<number, string>();
    const certificateCounters = new Map<string, number>();
    const enteredAt = (k: number) => (newBookings[k]!.resultsAt as Date | undefined)?.getTime();
    for (const i of [...newBookings.keys()].filter((k) => newBookings[k]!.kind === 'calibration' && enteredAt(k) !== undefined).sort((a, b) => enteredAt(a)! - enteredAt(b)!)) {
      const year = shanghaiDate(new Date(enteredAt(i)!)).slice(0, 4);
      const next = (certificateCounters.get(year) ?? 0) + 1;
      certificateOf.set(i, `JD${year}-${String(next).padStart(6, '0')}`);
      certificateCounters.set(year, next + extras[i]!.items.length - 1);
    }
    for (let i = 0; i < newBookings.length; i++) {
      const b = newBookings[i]!;
      const x = extras[i]!;
      const bookingId = bookingIds[i]!;
      const itemIds = allItemIds.slice(itemCursor, itemCursor + x.items.length);
      itemCursor += x.items.length;
      eventRows.push(...x.events.map((e) => ({ ...e, entityId: String(bookingId) })));
      const rs = x.results(x.items[0]?.gradeCode ?? null, itemIds);
      const firstNo = certificateOf.get(i);
      if (firstNo) rs.forEach((r, k) => (r.certificateNo = `${firstNo.slice(0, 7)}${String(Number(firstNo.slice(7)) + k).padStart(6, '0')}`));
      resultRows.push(...rs.map((r) => ({ ...r, bookingId })));
      // 见数据 where nothing was judged: a consultation, calibrations only, oil results without any limit (in-service oil).
      const judgedNothing = rs.length > 0 && rs.every((r) => r.conclusion === 'calibrated' || (r.testItemCode && r.judgement === 'no_limit'));
      const conclusion = b.kind === 'consultation' ? 'info' : rs.some((r) => r.judgement === 'fail' || r.conclusion === 'fail') ? 'fail' : judgedNothing ? 'info' : 'pass';
      if (rs.length || b.kind === 'consultation') conclusions.push({ id: bookingId, conclusion });
      {
        const service = offerings.find((o) => o.service.id === b.serviceId)!.service;
        const first = x.items[0];
        const query: FeeQuery =
          b.kind === 'calibration'
            ? { kind: 'calibration', serviceCode: service.code, serviceName: service.name, instruments: x.items.map((it) => ({ name: it.instrumentName ?? service.name, quantity: it.quantity ?? 1, compulsory: !!it.compulsory })) }
            : b.kind === 'oil_test'
              ? { kind: 'oil_test', serviceCode: service.code, serviceName: service.name, oil: { samples: first?.quantity ?? 1, packageCode: first?.packageCode ?? null, packageName: first?.packageCode ? (packages.get(first.packageCode)?.name ?? null) : null, itemCodes: first?.testItemCodes ?? [], itemNames } }
              : { kind: 'consultation', serviceCode: service.code, serviceName: service.name };
        const estimate = estimateFee(query, pricesByNode.get(b.nodeId)!);
        const manager = staff.find((s) => s.nodeId === b.nodeId && s.role === 'node_manager') ?? staff.find((s) => s.nodeId === b.nodeId);
        // every row sets the same columns (unpaid spelled out), so that they go in one statement
        const fee: typeof bookingFees.$inferInsert = { bookingId, estimateCents: estimate.totalCents, estimateLines: estimate.lines, estimateComplete: estimate.complete, urgent: false, paymentStatus: 'unpaid' };
        if (b.acceptedAt) {
          // Without a published price for every line the lab quotes at acceptance.
          const confirmed = estimate.complete ? estimate.totalCents : estimate.totalCents + 10_000 * (1 + (bookingId % 4));
          Object.assign(fee, { confirmedCents: confirmed, confirmedBy: manager?.id ?? null, confirmedAt: b.acceptedAt, adjustReason: estimate.complete ? null : '按受理时报价' });
          eventRows.push({ at: b.acceptedAt, actorUserId: manager?.id ?? null, entityType: 'booking', entityId: String(bookingId), action: 'fee.confirmed', note: `核定费用 ${yuan(confirmed)}`, data: { estimate: estimate.totalCents, confirmed } });
          if (b.reportedAt) {
            const paidAt = new Date((b.reportedAt as Date).getTime() - 2 * HOUR);
            const paid = confirmed > 0;
            const method = paymentMethods[bookingId % paymentMethods.length]!;
            Object.assign(fee, paid ? { paymentStatus: 'paid', paidCents: confirmed, paidOn: shanghaiDate(paidAt), paymentMethod: method, paymentRecordedBy: manager?.id ?? null } : { paymentStatus: 'waived', paymentRecordedBy: manager?.id ?? null });
            eventRows.push({ at: paidAt, actorUserId: manager?.id ?? null, entityType: 'booking', entityId: String(bookingId), action: 'fee.payment', fromState: 'unpaid', toState: paid ? 'paid' : 'waived', note: paid ? `已缴费 ${yuan(confirmed)}（${shanghaiDate(paidAt)}）` : '免收', data: { paidCents: paid ? confirmed : null, method: paid ? method : null } });
          }
        }
        feeRows.push(fee);
      }
      if (x.report) {
        const [tech, ver, appr] = [x.report.testerId, x.report.verifierId, x.report.approverId].map((id) => staff.find((s) => s.id === id)!) as [StaffRow, StaffRow, StaffRow];
        const company = companies.find((c) => c.id === b.enterpriseId)!;
        const node = offerings.find((o) => o.node.id === b.nodeId)!.node;
        const service = offerings.find((o) => o.service.id === b.serviceId)!.service;
        reportRows.push({
          bookingId,
          number: '', // numbered below, in the order of issue
          version: 1,
          verificationCode: newVerificationCode(),
          verifyToken: randomBytes(24).toString('base64url'),
          status: 'valid',
          conclusion,
          testerId: tech.id,
          verifierId: ver.id,
          approverId: appr.id,
          issuedAt: x.report.issuedAt,
          content: {
            title: b.kind === 'calibration' ? '检定 / 校准证书' : b.kind === 'oil_test' ? '检测报告' : '咨询服务记录',
            booking: { number: b.number, kind: b.kind, serviceCode: service.code, serviceName: service.name, categoryName: '', nodeName: node.name, nodeAddress: node.address, nodePhone: node.phone, enterpriseName: company.name, creditCode: company.creditCode, date: b.date, window: b.window, receivedAt: b.receivedAt ? (b.receivedAt as Date).toISOString() : null },
            items: x.items.map((it, k) => ({ ...it, id: itemIds[k] })),
            results: rs,
            itemNames,
            conclusion,
            remark: b.conclusionRemark ?? null,
            signers: { tester: tech.name, verifier: ver.name, approver: appr.name },
            issuedAt: x.report.issuedAt.toISOString(),
            // Laid out as the lab's issue lays it out (src/reports/content.ts): the service's standards, the day of
            // the results and, for oil, each line with its method.
            standards: service.standards ?? [],
            bilingual: b.bilingualReport ?? false,
            resultsAt: b.resultsAt ? (b.resultsAt as Date).toISOString() : null,
            ...(b.kind === 'oil_test' ? { oilSamples: layOilSamples(x.items.map((it, k) => sampleOf(it, itemIds[k]!)), rs, items, limitRows) } : {}),
          },
        });
      }
      if (x.evaluation) evaluationRows.push({ bookingId, userId: x.evaluation.userId, level: x.evaluation.level, comment: x.evaluation.comment, createdAt: x.evaluation.createdAt });
      // The latest step of recent bookings is waiting in the company's inbox.
      const last = x.events[x.events.length - 1]!;
      if (now.getTime() - (last.at as Date).getTime() < 10 * 86_400_000 && x.notifyUserIds.length) {
        notificationRows.push(...x.notifyUserIds.map((userId) => ({ userId, bookingId, title: `${b.number} 状态更新`, body: `预约 ${b.number} 最新进展：${EVENT_LABELS[last.action] ?? last.action}`, link: `/bookings/${b.number}`, createdAt: last.at as Date })));
      }
    }
    // Report numbers count per service prefix and year in the order the reports were issued, as the lab gives them.
    for (const r of [...reportRows].sort((a, b) => (a.issuedAt as Date).getTime() - (b.issuedAt as Date).getTime())) {
      const key = `R-${(r.content as { booking: { number: string } }).booking.number.slice(0, 2)}|${shanghaiDate(r.issuedAt as Date).slice(0, 4)}`;
      const seq = (reportCounters.get(key) ?? 0) + 1;
      reportCounters.set(key, seq);
      r.number = `NQI-${key.slice(-4)}-${key.slice(2, 4)}-${String(seq).padStart(6, '0')}`;
    }
    await insertRows(tx, events, eventRows);
    await insertRows(tx, results, resultRows);
    await insertRows(tx, reports, reportRows);
    await insertRows(tx, evaluations, evaluationRows);
    await insertRows(tx, bookingFees, feeRows);
    await insertRows(tx, notifications, notificationRows);
    await tx.execute(
      sql`UPDATE ${bookings} SET conclusion = v.c FROM unnest(${sql.param(conclusions.map((c) => c.id))}::int[], ${sql.param(conclusions.map((c) => c.conclusion))}::text[]) AS v(id, c) WHERE ${bookings.id} = v.id`,
    );
    await raiseCounters(tx, counters);
    // report numbers count per year: their counter's day is the year's first
    await raiseCounters(tx, new Map([...reportCounters].map(([key, last]) => [`${key}-01-01`, last])));
  });
  return { bookings: newBookings.length };
}
