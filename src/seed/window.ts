import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, inArray, sql } from 'drizzle-orm';
import { findPrincipalById } from '../auth/auth.repo.js';
import { makeBookingsService } from '../bookings/bookings.service.js';
import { makeAvailability } from '../capacity/availability.js';
import { findNodeService } from '../capacity/capacity.repo.js';
import { makeReferenceData } from '../catalog/reference.js';
import type { Db } from '../db/client.js';
import { bookingCounters, enterprises, queueTickets, services, users, windowCases } from '../db/schema.js';
import { creditCodeCheckChar } from '../enterprises/credit-code.js';
import { addDays, shanghaiDate, type Clock } from '../shared/time.js';
import { DEFAULT_DRAFT_QUOTA } from '../uploads/quota.js';
import { FileStorage } from '../uploads/storage.js';
import { makeWindowService } from '../window/window.service.js';

/** The demo's window staff: 陈杰 at the Putuo station, 沈宇 at the city centre (any node). */
export const DEMO_WINDOW_STAFF = ['13900000051', '13900000042'];

/**
 * The company workspace and the walk-in window in the demo: every company's first user is its admin; two staff hold
 * the window duty; a company registered at the Putuo window (no account yet) with two bookings entered there, a
 * closed case for a registered company; walk-in queue tickets of today and the last days. Window bookings go through
 * the one booking path (capacity, numbering, events) as staff on the company's behalf. Idempotent.
 */
export async function seedDemoWindow(db: Db, now: Date = new Date()): Promise<{ cases: number; tickets: number }> {
  await db.execute(sql`UPDATE users u SET company_admin = true WHERE u.role = 'enterprise' AND u.id = (SELECT min(f.id) FROM users f WHERE f.enterprise_id = u.enterprise_id)`);
  await db.update(users).set({ windowDuty: true }).where(inArray(users.mobile, DEMO_WINDOW_STAFF));
  if ((await db.$count(windowCases)) > 0) return { cases: 0, tickets: 0 };

  const clock: Clock = { now: () => now };
  const availability = makeAvailability({ db, clock, horizonDays: 60 });
  const bookings = makeBookingsService({ db, availability, storage: new FileStorage(path.join(tmpdir(), 'nqi-seed-unused')), clock, reference: makeReferenceData(db), draftQuota: DEFAULT_DRAFT_QUOTA });
  const desk = makeWindowService({ db, clock });
  const [staffRow] = await db.select({ id: users.id, nodeId: users.nodeId }).from(users).where(eq(users.mobile, DEMO_WINDOW_STAFF[0]!));
  const staff = staffRow && (await findPrincipalById(db, staffRow.id));
  if (!staff || staffRow.nodeId === null) return { cases: 0, tickets: 0 };
  const nodeId = staffRow.nodeId;

  const body = '91330903MA2F3W8Q5';
  const unowned = await desk.registerCompany(staff, { companyName: '舟山普陀永兴五金机电有限公司', creditCode: body + creditCodeCheckChar(body), parkId: '', address: '舟山市普陀区沈家门街道兴港路 21 号' });
  const visitor = { visitorName: '李永兴', visitorMobile: '13705801234', visitorIdLast4: '3516' };
  const first = await desk.openCase(staff, { enterpriseId: String(unowned), ...visitor });
  const ref = await desk.caseRef(staff, first);

  /** A calibration booking at the next free window of the node (through the same path as the form). */
  const book = async (caseRef: typeof ref, service: string, lines: { name: string; serialNo: string; quantity: number }[], contact: { name: string; mobile: string }, key: string) => {
    const [svc] = await db.select({ id: services.id }).from(services).where(eq(services.code, service));
    const ns = svc && (await findNodeService(db, nodeId, svc.id));
    if (!ns) return;
    const units = lines.reduce((n, l) => n + l.quantity, 0);
    const slot = ((await availability.nextFree([{ ns, kind: 'calibration' }], 1, units)).get(ns.id) ?? [])[0];
    if (!slot) return;
    await bookings.onBehalf.submit(staff, caseRef, {
      service,
      node: String(nodeId),
      idempotencyKey: key,
      slot: `${slot.date}|${slot.key}`,
      deliveryMode: 'send_in',
      items: lines.map((l) => ({ name: l.name, serialNo: l.serialNo, quantity: String(l.quantity) })),
      contactName: contact.name,
      contactMobile: contact.mobile,
      remarks: '线下窗口受理，纸质委托单已签字存档',
    }, []);
  };
  await book(ref, 'CAL-PG', [{ name: '一般压力表', serialNo: 'YX-PG-2019-01', quantity: 2 }], { name: '李永兴', mobile: '13705801234' }, 'seed-window-yongxing-pg-0001');
  await book(ref, 'CAL-EBAL', [{ name: '电子天平', serialNo: 'YX-EB-2021-07', quantity: 1 }], { name: '李永兴', mobile: '13705801234' }, 'seed-window-yongxing-eb-0002');

  // A registered company served at the window too (its admin sees the booking online), case closed.
  const [seafood] = await db.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.name, '普陀东港水产食品有限公司'));
  if (seafood) {
    const second = await desk.openCase(staff, { enterpriseId: String(seafood.id), visitorName: '马丽', visitorMobile: '13900000401', visitorIdLast4: '2047' });
    await book(await desk.caseRef(staff, second), 'CAL-PG', [{ name: '一般压力表', serialNo: 'DG-PG-2020-11', quantity: 1 }], { name: '马丽', mobile: '13900000401' }, 'seed-window-donggang-pg-0003');
    await desk.closeCase(staff, second);
  }

  return { cases: await db.$count(windowCases), tickets: await seedTickets(db, nodeId, staff.id, now) };
}

/** Walk-in tickets: today (some served, one no-show, one called, two waiting) and the previous five days. */
async function seedTickets(db: Db, nodeId: number, staffId: number, now: Date): Promise<number> {
  const today = shanghaiDate(now);
  const categories = ['metrology', 'metrology', 'testing', 'standards', 'metrology', 'certification', 'metrology', 'testing'];
  const at = (day: string, minutes: number) => new Date(new Date(`${day}T08:30:00+08:00`).getTime() + minutes * 60_000);
  const rows: (typeof queueTickets.$inferInsert)[] = [];
  for (let back = 5; back >= 0; back--) {
    const day = addDays(today, -back);
    const count = back === 0 ? 7 : 4 + (back % 3);
    for (let n = 1; n <= count; n++) {
      const issued = at(day, n * 17);
      const wait = 6 + ((n * 7 + back * 3) % 19);
      const waitingToday = back === 0 && n >= count - 1;
      const calledToday = back === 0 && n === count - 2;
      const status = waitingToday ? 'waiting' : calledToday ? 'called' : n % 5 === 0 ? 'no_show' : 'served';
      rows.push({
        nodeId,
        day,
        number: n,
        categoryCode: categories[(n + back) % categories.length]!,
        status,
        issuedAt: issued,
        calledAt: status === 'waiting' ? null : new Date(issued.getTime() + wait * 60_000),
        finishedAt: status === 'served' || status === 'no_show' ? new Date(issued.getTime() + (wait + 12) * 60_000) : null,
        calledBy: status === 'waiting' ? null : staffId,
      });
    }
    // the day's counter continues after the seeded numbers (the next 取号 gets the next one)
    await db.insert(bookingCounters).values({ prefix: `Q${nodeId}`, day, last: count }).onConflictDoNothing();
  }
  await db.insert(queueTickets).values(rows).onConflictDoNothing();
  return db.$count(queueTickets, eq(queueTickets.nodeId, nodeId));
}
