import { randomBytes } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { hashPassword } from '../auth/password.js';
import { formatBookingNumber } from '../bookings/booking-number.js';
import { insertRows } from '../db/bulk-insert.js';
import type { Db } from '../db/client.js';
import { raiseCounters } from './counters.js';
import { enterprises, equipment, equipmentBookings, equipmentSuspensions, equipmentTrainings, events, nodes, parks, users } from '../db/schema.js';
import { creditCodeCheckChar } from '../enterprises/credit-code.js';
import { nodeDayCheck } from '../equipment/availability.js';
import { amountFor, billedMinutes, type Mode } from '../equipment/domain.js';
import { minutesOf, hhmmOf } from '../equipment/time-rules.js';
import { addDays, shanghaiDate, instantOf } from '../shared/time.js';
import { DEMO_INSTITUTES, DEMO_INSTRUMENTS, type DemoInstrument } from './equipment-data.js';
import { prng } from './history.js';

/**
 * Demo open sharing: about thirty instruments across the nodes, research institutes, training records, and a season of
 * bookings (three months back, three weeks ahead) in every state — used and billed, no-shows, cancelled, rejected,
 * waiting for approval, in use right now — plus maintenance blocks and one company suspended after three no-shows.
 * Written directly in batches; the exclusion constraint still checks every row. Deterministic for a given "now".
 */

type NewRow = typeof equipmentBookings.$inferInsert;
type NewEvent = typeof events.$inferInsert;

const PURPOSES: Record<string, string[]> = {
  色谱质谱: ['燃料油化学残留物筛查', '溶剂杂质定性分析', '水产品组胺测定', '来料成分比对'],
  光谱分析: ['燃料油钒、钠、铝硅测定', '钢材牌号鉴别', '涂层成分鉴别', '含油污水石油类测定'],
  理化分析: ['船用燃料油闪点测定', '运动黏度测定', '润滑油水分测定', '油品酸值测定'],
  环境与可靠性试验: ['船用仪表湿热试验', '紧固件中性盐雾试验', '控制板温度循环试验', '电子组件振动试验'],
  几何量测量: ['泵壳形位公差检测', '阀体尺寸检测', '数控机床定位精度检测', '冲压件尺寸检测'],
  力学性能: ['焊接件拉伸试验', '钢板弯曲试验', '轴类硬度检测'],
  电学与电磁兼容: ['控制器静电放电预测试', '信号完整性调试', '数字多用表比对'],
  无损检测: ['船体焊缝超声检测', '涂装膜厚检测'],
  其他: ['断口形貌观察', '微生物培养'],
};

const yuanRates = (x: DemoInstrument) => {
  const rates: Record<string, Record<string, number>> = { park: {}, other: {}, research: {} };
  for (const mode of ['self', 'assisted'] as const) {
    const r = x[mode];
    if (r) r.forEach((yuan, i) => (rates[['park', 'other', 'research'][i]!]![mode] = yuan * 100));
  }
  return rates;
};

/** Two research institutes with one account each (not demo logins: their passwords are random and never shown). */
async function insertInstitutes(db: Db) {
  const parkIds = new Map((await db.select({ id: parks.id, code: parks.code }).from(parks)).map((p) => [p.code, p.id]));
  const unusable = await hashPassword(randomBytes(18).toString('base64url'));
  for (const [k, i] of DEMO_INSTITUTES.entries()) {
    const [row] = await db
      .insert(enterprises)
      .values({ name: i.name, creditCode: i.body + creditCodeCheckChar(i.body), orgType: 'institute', parkId: i.park ? parkIds.get(i.park)! : null, address: '舟山市（演示数据）' })
      .onConflictDoNothing()
      .returning({ id: enterprises.id });
    if (row) await db.insert(users).values({ role: 'enterprise', name: `${i.name.slice(2, 4)}课题组`, mobile: `1380008${String(1000 + k).slice(-4)}`, passwordHash: unusable, enterpriseId: row.id }).onConflictDoNothing();
  }
}

async function insertInstruments(db: Db, now: Date) {
  const nodeIds = new Map((await db.select({ id: nodes.id, code: nodes.code }).from(nodes)).map((n) => [n.code, n.id]));
  const rows = DEMO_INSTRUMENTS.filter((x) => nodeIds.has(x.node)).map((x, i) => ({
    code: x.code,
    nodeId: nodeIds.get(x.node)!,
    name: x.name,
    category: x.category,
    model: x.model,
    maker: x.maker,
    location: x.location,
    specs: x.specs.map(([label, value]) => ({ label, value })),
    methods: x.methods,
    description: x.description,
    modes: (['self', 'assisted'] as const).filter((m) => x[m]),
    rates: yuanRates(x),
    openFrom: x.hours?.[0] ?? '08:30',
    openUntil: x.hours?.[1] ?? '17:00',
    minNoticeHours: x.minNoticeHours ?? 24,
    maxHours: x.maxHours ?? 8,
    horizonDays: 30,
    noShowMinutes: 30,
    billing: x.billing ?? 'actual',
    autoApprove: x.autoApprove ?? false,
    status: x.status ?? 'available',
    statusNote: x.statusNote ?? '',
    sortOrder: i,
    createdAt: new Date(now.getTime() - 200 * 86_400_000),
  }));
  return db.insert(equipment).values(rows).returning();
}

type Random = { rand: () => number; chance: (p: number) => boolean; pick: <T>(list: readonly T[]) => T };
type Instrument = typeof equipment.$inferSelect;
type Company = { id: number; parkId: number | null; orgType: string; name: string };

/** The companies that can book (those with a user), their first user as the contact, and each node's staff. */
async function whoBooks(db: Db) {
  const companies: Company[] = await db.select({ id: enterprises.id, parkId: enterprises.parkId, orgType: enterprises.orgType, name: enterprises.name }).from(enterprises);
  const people = await db.select({ id: users.id, name: users.name, mobile: users.mobile, enterpriseId: users.enterpriseId, nodeId: users.nodeId }).from(users).where(inArray(users.role, ['enterprise', 'lab_staff', 'node_manager']));
  const contactOf = new Map<number, { userId: number; name: string; mobile: string }>();
  for (const p of people) if (p.enterpriseId !== null && !contactOf.has(p.enterpriseId)) contactOf.set(p.enterpriseId, { userId: p.id, name: p.name, mobile: p.mobile });
  const nodeParks = new Map((await db.select({ id: nodes.id, parkId: nodes.parkId }).from(nodes)).map((n) => [n.id, n.parkId]));
  return { bookers: companies.filter((c) => contactOf.has(c.id)), contactOf, deciderOf: (nodeId: number) => people.find((p) => p.nodeId === nodeId)?.id ?? null, nodeParks };
}

type Who = Awaited<ReturnType<typeof whoBooks>>;

/** Training records for the self-operated instruments: two companies of the node's park and a few others. */
function chooseTrainings(instruments: Instrument[], who: Who, r: Random, today: string, now: Date) {
  const trainings: (typeof equipmentTrainings.$inferInsert)[] = [];
  const trained = new Map<number, number[]>(); // instrument → companies whose contact is trained
  for (const e of instruments.filter((x) => x.modes.includes('self'))) {
    const nearby = who.bookers.filter((c) => c.parkId !== null && c.parkId === who.nodeParks.get(e.nodeId));
    const chosen = [...new Set([...nearby.slice(0, 2), ...Array.from({ length: 4 }, () => r.pick(who.bookers))])];
    trained.set(e.id, chosen.map((c) => c.id));
    for (const c of chosen) trainings.push({ equipmentId: e.id, userId: who.contactOf.get(c.id)!.userId, trainedOn: addDays(today, -120 - Math.floor(r.rand() * 200)), validUntil: r.chance(0.3) ? addDays(today, 365) : null, trainer: '网点设备管理员', recordedBy: who.deciderOf(e.nodeId), createdAt: new Date(now.getTime() - 120 * 86_400_000) });
  }
  return { trainings, trained };
}

/** Rows to write with their events, numbered by creation day like the application numbers them. */
class Batch {
  rows: NewRow[] = [];
  events: NewEvent[][] = [];
  counters = new Map<string, number>();

  add(prefix: string, row: NewRow, events: NewEvent[]) {
    const day = shanghaiDate(row.createdAt as Date);
    const n = (this.counters.get(`${prefix}|${day}`) ?? 0) + 1;
    this.counters.set(`${prefix}|${day}`, n);
    this.rows.push({ ...row, number: formatBookingNumber(prefix, day, n) });
    this.events.push(events);
  }
}

interface SeasonInput {
  batch: Batch;
  who: Who;
  r: Random;
  trained: Map<number, number[]>;
  now: Date;
  offender: Company;
}

/** One instrument's season: a maintenance block or two, and a morning and/or afternoon booking on working days. */
async function season(db: Db, e: Instrument, x: SeasonInput) {
  const { r, now } = x;
  const today = shanghaiDate(now);
  const [from, until] = [addDays(today, -90), addDays(today, 21)];
  const dayCheck = await nodeDayCheck(db, e.nodeId, from, until);
  const decider = x.who.deciderOf(e.nodeId);
  const [open, close] = [minutesOf(e.openFrom), minutesOf(e.openUntil)];
  const blockDays = new Set([addDays(today, -30 - Math.floor(r.rand() * 40)), ...(r.chance(0.25) ? [addDays(today, 3 + Math.floor(r.rand() * 14))] : [])]);
  for (const day of [...blockDays].filter((d) => dayCheck(d).working)) {
    const created = new Date(instantOf(day, '08:00').getTime() - 5 * 86_400_000);
    if (created > now) continue;
    x.batch.add('WX', { number: '', kind: 'maintenance', equipmentId: e.id, nodeId: e.nodeId, startsAt: instantOf(day, e.openFrom), endsAt: instantOf(day, e.openUntil), status: 'approved', purpose: r.pick(['年度计量校准', '更换易损件', '厂家工程师保养', '期间核查']), createdBy: decider, createdAt: created }, [{ actorUserId: decider, entityType: 'equipment_booking', entityId: '', action: 'equipment_booking.blocked', toState: 'approved', at: created }]);
  }
  for (let day = from; day <= until; day = addDays(day, 1)) {
    if (!dayCheck(day).working || blockDays.has(day) || (e.status === 'maintenance' && day > today)) continue;
    const slots: [number, number][] = [];
    if (r.chance(0.55)) slots.push([open + 30 * Math.floor(r.rand() * 3), Math.min(12 * 60, close)]);
    if (r.chance(0.35)) slots.push([Math.max(open, 13 * 60 + 30 * Math.floor(r.rand() * 3)), close]);
    for (const [start, limit] of slots) {
      const length = Math.min(e.maxHours * 60, 30 * (2 + Math.floor(r.rand() * 6)), limit - start);
      if (length < 30) continue;
      const company = r.pick(x.who.bookers);
      const contact = x.who.contactOf.get(company.id)!;
      const offenderDue = company.id === x.offender.id && day < today && day > addDays(today, -60) && x.batch.rows.filter((b) => b.enterpriseId === company.id && b.status === 'no_show').length < 3;
      const built = buildBooking({ e, day, start, length, company, now, ...r, trainedCompanies: x.trained.get(e.id) ?? [], userId: contact.userId, contact, decider, forceNoShow: offenderDue });
      if (built) x.batch.add('YQ', built.row, built.events);
    }
  }
}

/** Everything in one transaction: trainings, rows (the exclusion constraint checks each), events, counters, the suspension. */
async function write(db: Db, batch: Batch, trainings: (typeof equipmentTrainings.$inferInsert)[], offender: Company, now: Date) {
  await db.transaction(async (tx) => {
    await insertRows(tx, equipmentTrainings, trainings);
    const ids = await insertRows(tx, equipmentBookings, batch.rows, { returning: { id: equipmentBookings.id } });
    await insertRows(
      tx,
      events,
      ids.flatMap((r, k) => batch.events[k]!.map((ev) => ({ ...ev, entityId: String(r.id), data: { number: batch.rows[k]!.number } }))),
    );
    await raiseCounters(tx, batch.counters);
    const noShows = batch.rows.filter((r) => r.enterpriseId === offender.id && r.status === 'no_show').sort((a, b) => (a.startsAt as Date).getTime() - (b.startsAt as Date).getTime());
    if (noShows.length < 3) return;
    const at = new Date((noShows[2]!.startsAt as Date).getTime() + 30 * 60_000);
    const endsAt = new Date(at.getTime() + 30 * 86_400_000);
    if (endsAt > now) await tx.insert(equipmentSuspensions).values({ enterpriseId: offender.id, startsAt: at, endsAt, violations: 3, reason: `90 天内爽约 3 次（${noShows.slice(0, 3).map((r) => r.number).join('、')}）`, createdAt: at });
  });
}

export async function seedDemoEquipment(db: Db, now: Date = new Date()): Promise<{ instruments: number; bookings: number }> {
  if ((await db.$count(equipment)) > 0) return { instruments: 0, bookings: 0 };
  const rand = prng(20261008);
  const r: Random = { rand, chance: (p) => rand() < p, pick: (list) => list[Math.floor(rand() * list.length)]! };
  await insertInstitutes(db);
  const instruments = await insertInstruments(db, now);
  const who = await whoBooks(db);
  const { trainings, trained } = chooseTrainings(instruments, who, r, shanghaiDate(now), now);
  // One company (not a demo login) collects three no-shows and is suspended: the rules page has something to show.
  const offender = who.bookers.find((c) => c.name.startsWith('舟山恒泰机械')) ?? who.bookers[who.bookers.length - 1]!;
  const batch = new Batch();
  for (const e of instruments.filter((x) => x.status !== 'retired')) await season(db, e, { batch, who, r, trained, now, offender });
  await write(db, batch, trainings, offender, now);
  return { instruments: instruments.length, bookings: batch.rows.length };
}

interface BuildInput {
  e: typeof equipment.$inferSelect;
  day: string;
  start: number;
  length: number;
  company: { id: number; parkId: number | null; orgType: string };
  now: Date;
  rand: () => number;
  chance: (p: number) => boolean;
  pick: <T>(list: readonly T[]) => T;
  trainedCompanies: number[];
  userId: number;
  contact: { name: string; mobile: string };
  decider: number | null;
  forceNoShow: boolean;
}

/** One booking with its state from where it lies in time, its frozen price and the events of its timeline. */
function buildBooking(x: BuildInput): { row: NewRow; events: NewEvent[] } | undefined {
  const { e, chance, now } = x;
  const startsAt = instantOf(x.day, hhmmOf(x.start));
  const endsAt = instantOf(x.day, hhmmOf(x.start + x.length));
  const created = new Date(startsAt.getTime() - (e.minNoticeHours + 24 * Math.floor(x.rand() * 10)) * 3600_000 - 3 * 3600_000);
  if (created > now) return undefined;
  const mode: Mode = e.modes.includes('self') && x.trainedCompanies.includes(x.company.id) && chance(0.6) ? 'self' : e.modes.includes('assisted') ? 'assisted' : 'self';
  if (mode === 'self' && !x.trainedCompanies.includes(x.company.id)) return undefined;
  const category = x.company.orgType === 'institute' ? 'research' : x.company.parkId !== null ? 'park' : 'other';
  const rateCents = (e.rates as Record<string, Record<string, number>>)[category]?.[mode];
  if (rateCents === undefined) return undefined;
  const purposes = PURPOSES[e.category] ?? PURPOSES.其他!;
  const row: NewRow = {
    number: '',
    kind: 'booking',
    equipmentId: e.id,
    nodeId: e.nodeId,
    enterpriseId: x.company.id,
    parkId: x.company.parkId,
    userCategory: category,
    mode,
    startsAt,
    endsAt,
    status: 'requested',
    purpose: x.pick(purposes),
    sampleNote: chance(0.4) ? `样品 ${1 + Math.floor(x.rand() * 6)} 件` : '',
    contactName: x.contact.name,
    contactMobile: x.contact.mobile,
    rateCents,
    billing: e.billing,
    estimateCents: amountFor(rateCents, x.length),
    createdBy: x.userId,
    createdAt: created,
  };
  const evs: NewEvent[] = [{ actorUserId: x.userId, entityType: 'equipment_booking', entityId: '', action: 'equipment_booking.created', toState: 'requested', at: created }];
  const step = (action: string, fromState: string, toState: string, at: Date, actor: number | null, note?: string) => evs.push({ actorUserId: actor, entityType: 'equipment_booking', entityId: '', action: `equipment_booking.${action}`, fromState, toState, at, note: note ?? null });
  const decided = new Date(created.getTime() + 2 * 3600_000);
  if (decided > now) return { row, events: evs };
  if (chance(0.04)) {
    Object.assign(row, { status: 'rejected', closeReason: '样品性质超出设备适用范围', decidedBy: x.decider, decidedAt: decided });
    step('reject', 'requested', 'rejected', decided, x.decider, '样品性质超出设备适用范围');
    return { row, events: evs };
  }
  if (chance(0.15) && now < startsAt) return { row, events: evs }; // still waiting for the node
  Object.assign(row, { status: 'approved', decidedBy: x.decider, decidedAt: decided });
  step('approve', 'requested', 'approved', decided, x.decider);
  if (!x.forceNoShow && chance(0.07)) {
    const at = new Date(Math.min(startsAt.getTime() - 3600_000, now.getTime()));
    if (at > decided) {
      Object.assign(row, { status: 'cancelled', closeReason: '生产计划调整' });
      step('cancel', 'approved', 'cancelled', at, x.userId, '生产计划调整');
      return { row, events: evs };
    }
  }
  const grace = new Date(startsAt.getTime() + e.noShowMinutes * 60_000);
  if (now < startsAt) return { row, events: evs };
  if (x.forceNoShow || (chance(0.012) && now >= grace)) {
    if (now < grace) return { row, events: evs };
    Object.assign(row, { status: 'no_show', closeReason: '超过爽约判定时间未签到（系统记录）' });
    step('no_show', 'approved', 'no_show', grace, null, '超过爽约判定时间未签到（系统记录）');
    return { row, events: evs };
  }
  const checkedInAt = new Date(startsAt.getTime() + Math.floor(x.rand() * 4) * 5 * 60_000);
  if (now < checkedInAt) return { row, events: evs };
  Object.assign(row, { status: 'checked_in', checkedInAt });
  step('check_in', 'approved', 'checked_in', checkedInAt, x.decider);
  const used = Math.max(20, x.length - 10 * Math.floor(x.rand() * 5) + (chance(0.1) ? 20 : 0));
  const checkedOutAt = new Date(checkedInAt.getTime() + used * 60_000);
  if (now < checkedOutAt) return { row, events: evs };
  const charged = billedMinutes(e.billing, x.length, used);
  Object.assign(row, { status: 'checked_out', checkedOutAt, chargedMinutes: charged, amountCents: amountFor(rateCents, charged) });
  step('check_out', 'checked_in', 'checked_out', checkedOutAt, x.decider);
  return { row, events: evs };
}
