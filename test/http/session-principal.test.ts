import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { enterprises, users } from '../../src/db/schema.js';
import { agentFor, createTestApp, login, type TestApp } from '../support/app.js';
import { createCompanyUser } from '../support/factories.js';

/*
 * The session and the signed-in user are read in one statement on every request (no cache): a change to the account
 * in the database — even one that leaves the session row in place — takes effect on the very next request.
 */
describe('signed-in user read with the session', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t?.close());

  it('shows the user on every page, and signs them out on the next request once the account is deactivated', async () => {
    const { user } = await createCompanyUser(t.db);
    const agent = agentFor(t.app);
    await login(agent, user.mobile, user.password);
    for (let i = 0; i < 3; i++) {
      const page = await agent.get('/bookings');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain(user.name);
    }
    // Concurrent requests of one session each get the user.
    const pages = await Promise.all(Array.from({ length: 5 }, () => agent.get('/bookings')));
    for (const page of pages) expect(page.status).to.equal(200);
    await t.db.update(users).set({ active: false }).where(eq(users.id, user.id));
    const after = await agent.get('/bookings');
    expect(after.status).to.equal(302);
    expect(after.headers.location).to.match(/^\/login/);
  });

  it('signs a company user out on the next request once the company is deactivated, and back in only by logging in', async () => {
    const { user, enterprise } = await createCompanyUser(t.db);
    const agent = agentFor(t.app);
    await login(agent, user.mobile, user.password);
    expect((await agent.get('/bookings')).status).to.equal(200);
    await t.db.update(enterprises).set({ active: false }).where(eq(enterprises.id, enterprise.id));
    expect((await agent.get('/bookings')).status).to.equal(302);
    await t.db.update(enterprises).set({ active: true }).where(eq(enterprises.id, enterprise.id));
    // The session no longer carries the user: reactivation does not sign anyone back in by itself.
    expect((await agent.get('/bookings')).status).to.equal(302);
  });

  it('takes a role change into account on the next request', async () => {
    const { user } = await createCompanyUser(t.db);
    const agent = agentFor(t.app);
    await login(agent, user.mobile, user.password);
    expect((await agent.get('/bookings')).status).to.equal(200);
    expect((await agent.get('/lab')).status).to.equal(403);
    await t.db.update(users).set({ role: 'lab_staff', enterpriseId: null, nodeId: 1 }).where(eq(users.id, user.id));
    expect((await agent.get('/lab')).status).to.equal(200);
  });
});
