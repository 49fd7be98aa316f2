import { expect } from 'chai';
import { and, eq, sql } from 'drizzle-orm';
import type { Principal, Role } from '../../src/auth/access.js';
import { BOOKING_STATUSES, TRANSITIONS, type BookingStatus, type TransitionAction } from '../../src/bookings/lifecycle.js';
import { applyTransition } from '../../src/bookings/transition.js';
import { rowsOf } from '../../src/db/client.js';
import { inTransaction } from '../../src/db/tx.js';
import { bookings, capacityWindows, reportRevisions } from '../../src/db/schema.js';
import { applyRevisionTransition, REVISION_TRANSITIONS, type RevisionAction, type RevisionStatus } from '../../src/reports/revision-lifecycle.js';
import { AppError } from '../../src/shared/errors.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, login, type TestApp } from '../support/app.js';
import { MONDAY_BEFORE_NATIONAL_DAY } from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';
import { bookCalibration, enterpriseAction, labAction } from '../support/lab.js';

/*
 * The expected lifecycles, written out by hand from the design (DESIGN.md, "Booking lifecycle") — not read from the
 * code's TRANSITIONS table, so a wrong row in that table fails here:
 *
 *   submitted ─accept→ accepted ─receive→ received ─start→ in_progress ─submit_results→ to_verify ─verify→ verified
 *     ─issue_report→ reported ─complete→ completed
 *   submitted ─needs_info (补正)→ needs_info ─resubmit→ submitted;  submitted|needs_info ─reject→ rejected
 *   to_verify|verified ─retract→ in_progress;  the company cancels before `received`: submitted|needs_info|accepted → cancelled
 *
 * Staff (technicians and node managers) take the node's steps; the company resubmits, confirms completion and cancels;
 * park and platform admins take none. Rejecting and cancelling give the capacity back. A reason is required to
 * reject, to ask for corrections, to send results back and to cancel. Every step tells the other side.
 */
const STAFF: Role[] = ['lab_staff', 'node_manager'];
const COMPANY: Role[] = ['enterprise'];
const ROLES: Role[] = ['enterprise', 'lab_staff', 'node_manager', 'park_admin', 'platform_admin'];
const STATES: BookingStatus[] = ['submitted', 'needs_info', 'accepted', 'received', 'in_progress', 'to_verify', 'verified', 'reported', 'completed', 'rejected', 'cancelled'];
const ACTIONS: TransitionAction[] = ['accept', 'reject', 'needs_info', 'resubmit', 'receive', 'start', 'submit_results', 'verify', 'retract', 'issue_report', 'complete', 'cancel'];

interface Step {
  to: BookingStatus;
  roles: Role[];
  /** Who is told: the company, or the node's staff. */
  tells: 'company' | 'node';
}
const ALLOWED: Record<string, Step> = {
  'accept submitted': { to: 'accepted', roles: STAFF, tells: 'company' },
  'needs_info submitted': { to: 'needs_info', roles: STAFF, tells: 'company' },
  'reject submitted': { to: 'rejected', roles: STAFF, tells: 'company' },
  'reject needs_info': { to: 'rejected', roles: STAFF, tells: 'company' },
  'resubmit needs_info': { to: 'submitted', roles: COMPANY, tells: 'node' },
  'receive accepted': { to: 'received', roles: STAFF, tells: 'company' },
  'start received': { to: 'in_progress', roles: STAFF, tells: 'company' },
  'submit_results in_progress': { to: 'to_verify', roles: STAFF, tells: 'node' },
  'verify to_verify': { to: 'verified', roles: STAFF, tells: 'node' },
  'retract to_verify': { to: 'in_progress', roles: STAFF, tells: 'node' },
  'retract verified': { to: 'in_progress', roles: STAFF, tells: 'node' },
  'issue_report verified': { to: 'reported', roles: STAFF, tells: 'company' },
  'complete reported': { to: 'completed', roles: COMPANY, tells: 'node' },
  'cancel submitted': { to: 'cancelled', roles: COMPANY, tells: 'node' },
  'cancel needs_info': { to: 'cancelled', roles: COMPANY, tells: 'node' },
  'cancel accepted': { to: 'cancelled', roles: COMPANY, tells: 'node' },
};
const GIVES_CAPACITY_BACK: TransitionAction[] = ['reject', 'cancel'];
const NEEDS_REASON: TransitionAction[] = ['reject', 'needs_info', 'retract', 'cancel'];

describe('booking lifecycle: the transition matrix (expected results written from the design)', () => {
  let t: TestApp;
  let number: string;
  let bookingId: number;
  let windowId: number;
  const principals = {} as Record<Role, Principal>;
  let companyUserId: number;
  let nodeStaffIds: number[];

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    const company = await createCompanyUser(t.db);
    companyUserId = company.user.id;
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
    nodeStaffIds = [users.lab_staff.id, users.node_manager.id];
    for (const [role, u] of Object.entries(users)) principals[role as Role] = (await t.services.auth.loadPrincipal(u.id))!;
  });
  after(() => t?.close());

  it('the code knows exactly the states and actions of the design (nothing more, nothing less)', () => {
    expect([...BOOKING_STATUSES].sort()).to.deep.equal([...STATES].sort());
    expect(Object.keys(TRANSITIONS).sort()).to.deep.equal([...ACTIONS].sort());
  });

  /** State, events, capacity used, and the messages to the company and to the node's staff — one statement. */
  async function snapshot() {
    const result = await t.db.execute(sql`
      SELECT (SELECT status FROM bookings WHERE id = ${bookingId}) AS status,
             (SELECT count(*)::int FROM events WHERE entity_type = 'booking' AND entity_id = ${String(bookingId)}) AS events,
             (SELECT used FROM capacity_windows WHERE id = ${windowId}) AS used,
             (SELECT count(*)::int FROM notifications WHERE user_id = ${companyUserId}) AS company,
             (SELECT count(*)::int FROM notifications WHERE user_id = ANY(${sql.raw(`ARRAY[${nodeStaffIds.join(',')}]`)})) AS node,
             (SELECT count(*)::int FROM notifications) AS messages`);
    return rowsOf<{ status: BookingStatus; events: number; used: number; company: number; node: number; messages: number }>(result)[0]!;
  }

  async function put(status: BookingStatus) {
    await t.db.update(bookings).set({ status }).where(eq(bookings.id, bookingId));
    await t.db.update(capacityWindows).set({ used: 1 }).where(eq(capacityWindows.id, windowId));
  }

  for (const status of STATES) {
    it(`from “${status}”: every role × every action does what the design says, and nothing else changes anything`, async () => {
      let allowed = 0;
      await put(status);
      for (const action of ACTIONS) {
        for (const role of ROLES) {
          const before = await snapshot();
          const step = ALLOWED[`${action} ${status}`];
          const expected = step !== undefined && step.roles.includes(role);
          let error: unknown;
          try {
            await inTransaction(t.db, (tx) => applyTransition(tx, bookingId, action, principals[role], { note: '矩阵测试原因' }));
          } catch (err) {
            error = err;
          }
          const after = await snapshot();
          const label = `${role} ${action} on ${status}`;
          if (!expected) {
            expect(error, label).to.be.instanceOf(AppError);
            expect(after, `${label} changed something`).to.deep.equal(before);
            continue;
          }
          allowed++;
          expect(error, label).to.equal(undefined);
          expect(after.status, label).to.equal(step.to);
          expect(after.events - before.events, `${label}: one event`).to.equal(1);
          expect(after.used, `${label}: capacity`).to.equal(GIVES_CAPACITY_BACK.includes(action) ? 0 : 1);
          if (step.tells === 'company') expect(after.company - before.company, `${label} tells the company`).to.be.at.least(1);
          else expect(after.node - before.node, `${label} tells the node's staff`).to.be.at.least(1);
          await put(status); // back to the state under test for the next combination
        }
      }
      const expectedAllowed = Object.entries(ALLOWED).filter(([k]) => k.endsWith(` ${status}`)).reduce((n, [, s]) => n + s.roles.length, 0);
      expect(allowed).to.equal(expectedAllowed);
    });
  }

  it('requires a reason exactly where the design does', async () => {
    for (const action of ACTIONS) {
      const [key, step] = Object.entries(ALLOWED).find(([k]) => k.startsWith(`${action} `))!;
      const from = key.split(' ')[1] as BookingStatus;
      await put(from);
      const before = await snapshot();
      let error: unknown;
      try {
        await inTransaction(t.db, (tx) => applyTransition(tx, bookingId, action, principals[step.roles[0]!], { note: '   ' }));
      } catch (err) {
        error = err;
      }
      if (NEEDS_REASON.includes(action)) {
        expect(error, `${action} without a reason`).to.be.instanceOf(AppError);
        expect(await snapshot(), action).to.deep.equal(before);
      } else {
        expect(error, `${action} needs no reason`).to.equal(undefined);
      }
    }
  });

  it('writes the state change, its event and the notification in one transaction', async () => {
    await put('submitted');
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
    await put('submitted');
    const company = agentFor(t.app);
    await login(company, principals.enterprise.mobile, TEST_PASSWORD);
    expect((await labAction(company, number, 'accept')).status).to.equal(403);
    const staff = agentFor(t.app);
    await login(staff, principals.lab_staff.mobile, TEST_PASSWORD);
    expect((await enterpriseAction(staff, number, 'cancel', { reason: 'x' })).status).to.equal(403);
    expect((await labAction(staff, number, 'no_such_action')).status).to.equal(404);
    expect((await snapshot()).status).to.equal('submitted');
  });
});

/*
 * A report revision (更正), by hand from the design: new results are entered, verified by someone else, approved by a
 * signatory — the same path as the first issue — while the old version stays valid:
 *
 *   entering ─submit_revision→ to_verify ─verify_revision→ verified ─issue_revision→ issued
 *   to_verify|verified ─retract_revision→ entering;  entering|to_verify|verified ─withdraw_revision→ withdrawn
 *
 * Only the node's staff take these steps; sending back and withdrawing need a reason; issuing tells the company,
 * every other step the node's staff. Issued and withdrawn revisions are closed: nothing more happens to them.
 */
const REVISION_STATES: RevisionStatus[] = ['entering', 'to_verify', 'verified', 'issued', 'withdrawn'];
const REVISION_ACTIONS: RevisionAction[] = ['submit_revision', 'verify_revision', 'retract_revision', 'issue_revision', 'withdraw_revision'];
const REVISION_ALLOWED: Record<string, { to: RevisionStatus; tells: 'company' | 'node' }> = {
  'submit_revision entering': { to: 'to_verify', tells: 'node' },
  'verify_revision to_verify': { to: 'verified', tells: 'node' },
  'retract_revision to_verify': { to: 'entering', tells: 'node' },
  'retract_revision verified': { to: 'entering', tells: 'node' },
  'issue_revision verified': { to: 'issued', tells: 'company' },
  'withdraw_revision entering': { to: 'withdrawn', tells: 'node' },
  'withdraw_revision to_verify': { to: 'withdrawn', tells: 'node' },
  'withdraw_revision verified': { to: 'withdrawn', tells: 'node' },
};
const REVISION_NEEDS_REASON: RevisionAction[] = ['retract_revision', 'withdraw_revision'];

describe('report revision lifecycle: the transition matrix (expected results written from the design)', () => {
  let t: TestApp;
  let booking: { id: number; number: string; nodeId: number; enterpriseId: number };
  let revisionId: number;
  const principals = {} as Record<Role, Principal>;
  let companyUserId: number;
  let nodeStaffIds: number[];

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    const company = await createCompanyUser(t.db);
    companyUserId = company.user.id;
    const number = await bookCalibration(t, company.user.id, { serials: ['REVISION-1'] });
    const [b] = await t.db.select().from(bookings).where(eq(bookings.number, number));
    booking = { id: b!.id, number, nodeId: b!.nodeId, enterpriseId: b!.enterpriseId };
    const users = {
      enterprise: company.user,
      lab_staff: await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' }),
      node_manager: await createUser(t.db, 'node_manager', { nodeCode: 'ZS-METROLOGY' }),
      park_admin: await createUser(t.db, 'park_admin', { parkCode: 'P-DINGHAI' }),
      platform_admin: await createUser(t.db, 'platform_admin'),
    };
    nodeStaffIds = [users.lab_staff.id, users.node_manager.id];
    for (const [role, u] of Object.entries(users)) principals[role as Role] = (await t.services.auth.loadPrincipal(u.id))!;
    await t.db.update(bookings).set({ status: 'reported' }).where(eq(bookings.id, booking.id));
    const [r] = await t.db.insert(reportRevisions).values({ bookingId: booking.id, reportNumber: 'NQI-2026-JL-999999', version: 2, status: 'entering', reason: '矩阵测试', openedBy: users.lab_staff.id }).returning({ id: reportRevisions.id });
    revisionId = r!.id;
  });
  after(() => t?.close());

  it('the code knows exactly the steps of the design', () => {
    expect(Object.keys(REVISION_TRANSITIONS).sort()).to.deep.equal([...REVISION_ACTIONS].sort());
  });

  async function snapshot() {
    const result = await t.db.execute(sql`
      SELECT (SELECT status FROM report_revisions WHERE id = ${revisionId}) AS status,
             (SELECT count(*)::int FROM events WHERE entity_type = 'booking' AND entity_id = ${String(booking.id)}) AS events,
             (SELECT count(*)::int FROM notifications WHERE user_id = ${companyUserId}) AS company,
             (SELECT count(*)::int FROM notifications WHERE user_id = ANY(${sql.raw(`ARRAY[${nodeStaffIds.join(',')}]`)})) AS node`);
    return rowsOf<{ status: RevisionStatus; events: number; company: number; node: number }>(result)[0]!;
  }
  const put = (status: RevisionStatus) => t.db.update(reportRevisions).set({ status, closedAt: null }).where(and(eq(reportRevisions.id, revisionId)));

  it('every revision state × action × role does what the design says, and nothing else changes anything', async () => {
    let allowed = 0;
    for (const status of REVISION_STATES) {
      for (const action of REVISION_ACTIONS) {
        for (const role of ROLES) {
          await put(status);
          const before = await snapshot();
          const step = REVISION_ALLOWED[`${action} ${status}`];
          const expected = step !== undefined && STAFF.includes(role);
          let error: unknown;
          try {
            await inTransaction(t.db, (tx) => applyRevisionTransition(tx, booking, action, principals[role], { note: '矩阵测试原因' }));
          } catch (err) {
            error = err;
          }
          const after = await snapshot();
          const label = `${role} ${action} on ${status}`;
          if (!expected) {
            expect(error, label).to.be.instanceOf(AppError);
            expect(after, `${label} changed something`).to.deep.equal(before);
            continue;
          }
          allowed++;
          expect(error, label).to.equal(undefined);
          expect(after.status, label).to.equal(step.to);
          expect(after.events - before.events, `${label}: one event`).to.equal(1);
          if (step.tells === 'company') expect(after.company - before.company, `${label} tells the company`).to.be.at.least(1);
          else expect(after.node - before.node, `${label} tells the node's staff`).to.be.at.least(1);
        }
      }
    }
    expect(allowed).to.equal(Object.keys(REVISION_ALLOWED).length * STAFF.length);
  });

  it('requires a reason to send a revision back and to withdraw it, and for nothing else', async () => {
    for (const action of REVISION_ACTIONS) {
      const from = Object.keys(REVISION_ALLOWED).find((k) => k.startsWith(`${action} `))!.split(' ')[1] as RevisionStatus;
      await put(from);
      const before = await snapshot();
      let error: unknown;
      try {
        await inTransaction(t.db, (tx) => applyRevisionTransition(tx, booking, action, principals.lab_staff, { note: '  ' }));
      } catch (err) {
        error = err;
      }
      if (REVISION_NEEDS_REASON.includes(action)) {
        expect(error, action).to.be.instanceOf(AppError);
        expect(await snapshot(), action).to.deep.equal(before);
      } else expect(error, action).to.equal(undefined);
    }
  });
});
