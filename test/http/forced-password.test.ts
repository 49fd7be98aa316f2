import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { bookings, notifications } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, csrfFrom, login, type Agent, type TestApp } from '../support/app.js';
import { calibrationFields, MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf, openBookingForm, PDF, postMultipart } from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD } from '../support/factories.js';
import { bookCalibration } from '../support/lab.js';

/**
 * A password set by an administrator is a shared secret until the user replaces it: until then the account may open
 * the password form and sign out, and nothing else — no booking, no lab step, no "mark as read".
 */
describe('forced password change after an administrator’s reset', () => {
  let t: TestApp;
  let admin: Agent;

  before(async () => {
    t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY) });
    const a = await createUser(t.db, 'platform_admin');
    admin = agentFor(t.app);
    await login(admin, a.mobile, TEST_PASSWORD);
  });
  after(() => t?.close());

  async function reset(userId: number): Promise<string> {
    const token = await csrfFrom(admin, '/admin/users');
    const res = await admin.post(`/admin/users/${userId}/reset-password`).type('form').send({ _csrf: token });
    expect(res.status).to.equal(200);
    return /id="temporary-password">([^<]+)</.exec(res.text)![1]!;
  }

  it('refuses a booking (multipart and urlencoded), a cancellation and read-all until the password is changed; signing out still works', async () => {
    const { user } = await createCompanyUser(t.db);
    const ns = await nodeServiceOf(t.db, 'ZS-METROLOGY', 'CAL-PG');
    const existing = await bookCalibration(t, user.id, { serials: ['FORCED-1'] });
    // the booking form as it was open before the reset
    const before = agentFor(t.app);
    await login(before, user.mobile, TEST_PASSWORD);
    const page = await openBookingForm(before, 'CAL-PG', ns.nodeId);

    const temporary = await reset(user.id);
    const agent = agentFor(t.app);
    await login(agent, user.mobile, temporary);
    const token = await csrfFrom(agent, '/account/password'); // the one page the account may open
    expect((await agent.get('/bookings/new?service=CAL-PG')).headers.location).to.equal('/account/password');

    const bookingsBefore = await t.db.$count(bookings);
    const fields = calibrationFields({ ...page, csrf: token }, ns.nodeId, { 'items[0][serialNo]': 'FORCED-2', 'items[1][serialNo]': 'FORCED-3' });
    const multipart = await postMultipart(agent, '/bookings', fields, [{ field: 'file_other', buffer: PDF, name: '清单.pdf' }]);
    expect(multipart.status).to.equal(403);
    expect(multipart.text).to.contain('请先修改密码');
    const form = await agent.post('/bookings').type('form').send(fields);
    expect(form.status).to.equal(403);
    expect(await t.db.$count(bookings)).to.equal(bookingsBefore);

    await t.db.insert(notifications).values({ userId: user.id, bookingId: null, title: '未读', body: '未读', link: null });
    expect((await agent.post(`/bookings/${existing}/cancel`).type('form').send({ _csrf: token, reason: '临时密码期间取消' })).status).to.equal(403);
    expect((await agent.post('/notifications/read-all').type('form').send({ _csrf: token })).status).to.equal(403);
    const [b] = await t.db.select({ status: bookings.status }).from(bookings).where(eq(bookings.number, existing));
    expect(b!.status).to.equal('submitted');
    expect(await t.db.$count(notifications, eq(notifications.userId, user.id))).to.be.greaterThan(0);
    const unread = await t.db.select({ readAt: notifications.readAt }).from(notifications).where(eq(notifications.userId, user.id));
    expect(unread.every((n) => n.readAt === null)).to.equal(true);

    // signing out works…
    const out = await agent.post('/logout').type('form').send({ _csrf: token });
    expect(out.status).to.equal(302);
    expect((await agent.get('/account/password')).status).to.equal(302);

    // …and once the password is changed, the same booking goes through (positive control).
    const again = agentFor(t.app);
    await login(again, user.mobile, temporary);
    const changeToken = await csrfFrom(again, '/account/password');
    const changed = await again.post('/account/password').type('form').send({ _csrf: changeToken, currentPassword: temporary, newPassword: 'Own-password-2026', newPasswordConfirm: 'Own-password-2026' });
    expect(changed.status).to.equal(302);
    const fresh = await openBookingForm(again, 'CAL-PG', ns.nodeId);
    const ok = await postMultipart(again, '/bookings', calibrationFields(fresh, ns.nodeId, { 'items[0][serialNo]': 'FORCED-4', 'items[1][serialNo]': 'FORCED-5' }));
    expect(ok.status, ok.text.slice(0, 300)).to.equal(303);
  });

  it('refuses lab steps to staff with a temporary password', async () => {
    const { user } = await createCompanyUser(t.db);
    const number = await bookCalibration(t, user.id, { serials: ['FORCED-LAB'] });
    const staff = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
    const temporary = await reset(staff.id);
    const agent = agentFor(t.app);
    await login(agent, staff.mobile, temporary);
    const token = await csrfFrom(agent, '/account/password');
    expect((await agent.post(`/lab/bookings/${number}/accept`).type('form').send({ _csrf: token })).status).to.equal(403);
    expect((await agent.post('/lab/bulk-accept').type('form').send({ _csrf: token, numbers: [number] })).status).to.equal(403);
    const [b] = await t.db.select({ status: bookings.status }).from(bookings).where(eq(bookings.number, number));
    expect(b!.status).to.equal('submitted');
  });
});
