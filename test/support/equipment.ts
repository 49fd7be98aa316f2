import { eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { enterprises, equipment, equipmentBookings, equipmentSuspensions, equipmentTrainings, nodes, type EquipmentRates } from '../../src/db/schema.js';
import type { Agent } from './app.js';

/** Rates in cents per hour: a park company 200 ¥/h assisted, 120 ¥/h self; others more; institutes less. */
export const TEST_RATES: EquipmentRates = {
  park: { self: 12_000, assisted: 20_000 },
  other: { self: 15_000, assisted: 25_000 },
  research: { self: 8_000, assisted: 14_000 },
};

let seq = 0;

/** A shared instrument at a node (08:30–17:00, 24 h notice, ≤ 4 h, 30 days ahead, no-show after 30 min, both modes). */
export async function createEquipment(db: Db, opts: Partial<typeof equipment.$inferInsert> & { nodeCode?: string } = {}) {
  const { nodeCode = 'ZS-METROLOGY', ...overrides } = opts;
  const [node] = await db.select({ id: nodes.id }).from(nodes).where(eq(nodes.code, nodeCode));
  seq += 1;
  const [row] = await db
    .insert(equipment)
    .values({
      code: `T-EQ-${String(seq).padStart(4, '0')}`,
      nodeId: node!.id,
      name: `测试气相色谱质谱联用仪 ${seq}`,
      category: '色谱质谱',
      model: 'GCMS-QP2020 NX',
      maker: '岛津',
      modes: ['self', 'assisted'],
      rates: TEST_RATES,
      openFrom: '08:30',
      openUntil: '17:00',
      minNoticeHours: 24,
      maxHours: 4,
      horizonDays: 30,
      noShowMinutes: 30,
      billing: 'actual',
      ...overrides,
    })
    .returning();
  return row!;
}

/** A training record of a user on an instrument (in force from 2026-01-01 unless given). */
export async function trainUser(db: Db, equipmentId: number, userId: number, opts: { trainedOn?: string; validUntil?: string | null } = {}) {
  await db.insert(equipmentTrainings).values({ equipmentId, userId, trainedOn: opts.trainedOn ?? '2026-01-01', validUntil: opts.validUntil ?? null, trainer: '培训员' });
}

/** The booking form of an instrument as the company sees it: its CSRF token and form key. */
export async function openEquipmentPage(agent: Agent, id: number) {
  const res = await agent.get(`/equipment/${id}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
  const key = /name="idempotencyKey" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
  return { status: res.status, text: res.text, csrf, key };
}

export interface EquipmentFields {
  date?: string;
  startTime?: string;
  endTime?: string;
  mode?: string;
  purpose?: string;
  [k: string]: string | undefined;
}

/** Books through the form (a fresh form key each time unless given). */
export async function bookViaForm(agent: Agent, id: number, fields: EquipmentFields) {
  const page = await openEquipmentPage(agent, id);
  const body = { _csrf: page.csrf, idempotencyKey: page.key, date: '2026-09-29', startTime: '09:00', endTime: '11:00', mode: 'assisted', purpose: '船用燃料油闪点测定', sampleNote: '', contactName: '测试联系人', contactMobile: '13800138000', ...fields };
  return agent.post(`/equipment/${id}/bookings`).type('form').send(body);
}

/** Posts an action of a booking's page (approve, check_in …) with the token of that page. */
export async function equipmentAction(agent: Agent, number: string, action: string, fields: Record<string, string> = {}) {
  const page = await agent.get(`/equipment/bookings/${number}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return agent.post(`/equipment/bookings/${number}/${action}`).type('form').send({ _csrf: csrf, ...fields });
}

/**
 * The security fixture's open-sharing records: an instrument at N1 with a training record of entA's user, entA's
 * booking (requested), a used booking of entA in September (statements), and a research institute, suspended (rules page).
 */
export async function equipmentFixture(db: Db, opts: { agentA: Agent; userA: { id: number }; companyA: { id: number; parkId: number | null }; nodeCode: string; purposeSecret: string }) {
  const eq = await createEquipment(db, { nodeCode: opts.nodeCode, name: '保密共享色谱仪', code: 'SEC-EQ-0001' });
  const [training] = await db.insert(equipmentTrainings).values({ equipmentId: eq.id, userId: opts.userA.id, trainedOn: '2026-01-01', trainer: '培训员' }).returning({ id: equipmentTrainings.id });
  const res = await bookViaForm(opts.agentA, eq.id, { purpose: opts.purposeSecret, contactName: '保密仪器联系人' });
  if (res.status !== 303) throw new Error(`fixture equipment booking: ${res.status} ${res.text.slice(0, 300)}`);
  const number = String(res.headers.location).split('/').pop()!;
  await db.insert(equipmentBookings).values({
    number: 'YQ-20260925-0001', kind: 'booking', equipmentId: eq.id, nodeId: eq.nodeId, enterpriseId: opts.companyA.id, parkId: opts.companyA.parkId, userCategory: 'park', mode: 'assisted',
    startsAt: new Date('2026-09-25T09:00:00+08:00'), endsAt: new Date('2026-09-25T11:00:00+08:00'), status: 'checked_out', purpose: opts.purposeSecret, contactName: '保密仪器联系人', contactMobile: '13800138000',
    rateCents: 20_000, billing: 'actual', estimateCents: 40_000, checkedInAt: new Date('2026-09-25T09:05:00+08:00'), checkedOutAt: new Date('2026-09-25T10:40:00+08:00'), chargedMinutes: 120, amountCents: 40_000,
  });
  const third = await db.insert(enterprises).values({ name: '丙暂停测试研究所', orgType: 'institute', creditCode: `91330900MA2Z${String(Date.now()).slice(-5)}X`.slice(0, 18), parkId: null, address: '舟山市' }).returning({ id: enterprises.id });
  const [suspension] = await db.insert(equipmentSuspensions).values({ enterpriseId: third[0]!.id, startsAt: new Date('2026-09-20T00:00:00+08:00'), endsAt: new Date('2026-10-20T00:00:00+08:00'), violations: 3, reason: '90 天内爽约 3 次' }).returning({ id: equipmentSuspensions.id });
  // an instrument entA offers, waiting for the platform's review
  const offer = await createEquipment(db, { nodeCode: opts.nodeCode, name: '企业提供的保密盐雾箱', code: 'SEC-OFFER-0001', ownerEnterpriseId: opts.companyA.id, review: 'pending' });
  return { id: eq.id, number, trainingId: training!.id, suspensionId: suspension!.id, offerId: offer.id };
}
