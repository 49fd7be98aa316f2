import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import type { Principal, Role } from '../../src/auth/access.js';
import { BOOKING_STATUSES, TRANSITIONS, type TransitionAction } from '../../src/bookings/lifecycle.js';
import { applyTransition } from '../../src/bookings/transition.js';
import { inTransaction } from '../../src/db/tx.js';
import { bookings, capacityWindows, events, notifications } from '../../src/db/schema.js';
import { AppError } from '../../src/shared/errors.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';
import { bookCalibration, enterpriseAction, labAction } from '../support/lab.js';

/**
 * The full transition matrix: every role × every state × every action. What the table allows happens (one event,
 * the new state); everything else is refused and changes nothing — state, events, notifications, capacity.
 */
describe('booking lifecycle: the transition matrix', () => {
  let t: TestApp;
  let number: string;
  let bookingId: number;
  let windowId: number;
  const principals = {} as Record<Role, Principal>;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    const company = await createCompanyUser(t.db);
    number = await bookCalibration(t, company.user.id, { serials: ['MATRIX-1'] });
    const [b] = await t.db.select().from(bookings).where(eq(bookings.number, number));
    bookingId = b!.id;
    windowId = b!.windowId!;
    const users = {
      enterprise: company.user,
      lab_staff: await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' }),
      node_manager: await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' }),
      park_admin: await createUser(t.db, 'park_admin', { parkCode: 'P-DINGHAI' }),
      platform_admin: await createUser(t.db, 'platform_admin'),
    };
    for (const [role, u] of Object.entries(users)) principals[role as Role] = (await t.services.auth.loadPrincipal(u.id))!;
  });
  after(() => t?.close());

  async function snapshot() {
    const [b] = await t.db.select().from(bookings).where(eq(bookings.id, bookingId));
    const [w] = await t.db.select().from(capacityWindows).where(eq(capacityWindows.id, windowId));
    return { status: b!.status, events: await t.db.$count(events), notifications: await t.db.$count(notifications), used: w!.used };
  }

  it('allows exactly what the table says, and nothing else changes anything', async () => {
    let allowed = 0;
    let refused = 0;
    for (const status of BOOKING_STATUSES) {
      for (const action of Object.keys(TRANSITIONS) as TransitionAction[]) {
        for (const role of Object.keys(principals) as Role[]) {
          await t.db.update(bookings).set({ status }).where(eq(bookings.id, bookingId));
          await t.db.update(capacityWindows).set({ used: 1 }).where(eq(capacityWindows.id, windowId));
          const before = await snapshot();
          const rule = TRANSITIONS[action];
          const expected = rule.roles.includes(role) && rule.from.includes(status);
          let error: unknown;
          try {
            await inTransaction(t.db, (tx) => applyTransition(tx, bookingId, action, principals[role], { note: '矩阵测试原因' }));
          } catch (err) {
            error = err;
          }
          const after = await snapshot();
          const label = `${role} ${action} on ${status}`;
          if (expected) {
            allowed++;
            expect(error, label).to.equal(undefined);
            expect(after.status, label).to.equal(rule.to);
            expect(after.events - before.events, label).to.equal(1);
            expect(after.notifications - before.notifications, label).to.be.at.least(1);
            expect(after.used, label).to.equal(rule.releasesCapacity ? 0 : 1);
          } else {
            refused++;
            expect(error, label).to.be.instanceOf(AppError);
            expect(after, label).to.deep.equal(before);
          }
        }
      }
    }
    expect(allowed).to.equal(Object.values(TRANSITIONS).reduce((n, r) => n + r.from.length * r.roles.length, 0));
    expect(allowed + refused).to.equal(BOOKING_STATUSES.length * Object.keys(TRANSITIONS).length * 5);
  });

  it('requires a reason where the table says so', async () => {
    for (const action of Object.values(TRANSITIONS).filter((r) => r.reasonRequired)) {
      await t.db.update(bookings).set({ status: action.from[0]! }).where(eq(bookings.id, bookingId));
      await t.db.update(capacityWindows).set({ used: 1 }).where(eq(capacityWindows.id, windowId));
      const before = await snapshot();
      const role = action.roles[0]!;
      let error: unknown;
      try {
        await inTransaction(t.db, (tx) => applyTransition(tx, bookingId, action.action, principals[role], { note: '   ' }));
      } catch (err) {
        error = err;
      }
      expect(error, action.action).to.be.instanceOf(AppError);
      expect(await snapshot(), action.action).to.deep.equal(before);
    }
  });

  it('writes the state change, its event and the notification in one transaction', async () => {
    await t.db.update(bookings).set({ status: 'submitted' }).where(eq(bookings.id, bookingId));
    const before = await snapshot();
    try {
      await inTransaction(t.db, async (tx) => {
        await applyTransition(tx, bookingId, 'accept', principals.lab_staff, {});
        throw new Error('crash after the transition, before commit');
      });
    } catch {
      // expected
    }
    expect(await snapshot()).to.deep.equal(before);
  });

  it('answers 403 over HTTP when a role uses the other side of the counter', async () => {
    await t.db.update(bookings).set({ status: 'submitted' }).where(eq(bookings.id, bookingId));
    const company = agentFor(t.app);
    const [b] = await t.db.select().from(bookings).where(eq(bookings.id, bookingId));
    const owner = (await t.services.auth.loadPrincipal(b!.createdBy))!;
    await login(company, owner.mobile, TEST_PASSWORD);
    expect((await labAction(company, number, 'accept')).status).to.equal(403);
    const staff = agentFor(t.app);
    await login(staff, principals.lab_staff.mobile, TEST_PASSWORD);
    expect((await enterpriseAction(staff, number, 'cancel', { reason: 'x' })).status).to.equal(403);
    expect((await labAction(staff, number, 'no_such_action')).status).to.equal(404);
    expect((await snapshot()).status).to.equal('submitted');
  });
});
