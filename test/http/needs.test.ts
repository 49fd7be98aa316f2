import { expect } from 'chai';
import { and, desc, eq } from 'drizzle-orm';
import type { Principal } from '../../src/auth/access.js';
import { events, experts, needs, notifications, users } from '../../src/db/schema.js';
import { rankExperts } from '../../src/needs/matching.js';
import { expertPool } from '../../src/needs/needs.repo.js';
import { ForbiddenError, NotFoundError } from '../../src/shared/errors.js';
import { agentFor, createTestApp, login, type TestApp } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import { createCompanyUser, createUser, type TestUser } from '../support/factories.js';

describe('quality needs answered by experts (质量需求 / 专家库)', function () {
  this.timeout(60_000);
  let t: TestApp;
  const clock = settableClock('2026-09-30T10:00:00+08:00');
  let company: Awaited<ReturnType<typeof createCompanyUser>>;
  let other: Awaited<ReturnType<typeof createCompanyUser>>;
  let coordinator: TestUser;
  const pool: Record<string, { user: TestUser; expertId: number }> = {};
  const principal = async (id: number) => (await t.services.auth.loadPrincipal(id)) as Principal;

  async function addExpert(key: string, p: { fields: string[]; tags: string[]; maxLoad?: number; available?: boolean; poolAllowed?: boolean }) {
    const user = await createUser(t.db, 'expert', {}, { name: `专家${key}` });
    const [row] = await t.db.insert(experts).values({ userId: user.id, organisation: '测试单位', fields: p.fields, tags: p.tags, qualifications: ['注册计量师'], maxLoad: p.maxLoad ?? 4, available: p.available ?? true, poolAllowed: p.poolAllowed ?? true }).returning({ id: experts.id });
    pool[key] = { user, expertId: row!.id };
  }

  const submit = async (userId: number, over: Record<string, string> = {}) =>
    t.services.needs.submit(await principal(userId), { type: '计量溯源方案', title: '压力变送器溯源方案', description: '储罐区压力变送器需要建立量值溯源方案，含燃料油计量。', preferredWay: 'online', ...over });

  before(async () => {
    t = await createTestApp({ clock });
    company = await createCompanyUser(t.db, { parkCode: 'P-DINGHAI' });
    other = await createCompanyUser(t.db, { parkCode: 'P-PUTUO' });
    coordinator = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-CENTRE' });
    await t.db.update(users).set({ coordinatorSince: new Date() }).where(eq(users.id, coordinator.id));
    // A seeded pool: field match, tag matches, load and ratings each decide somewhere.
    await addExpert('A', { fields: ['计量溯源方案'], tags: ['压力', '燃料油'] });
    await addExpert('B', { fields: ['计量溯源方案'], tags: ['压力'] });
    await addExpert('C', { fields: ['认证咨询'], tags: ['压力', '燃料油', '储罐'] });
    await addExpert('D', { fields: ['计量溯源方案'], tags: ['压力', '燃料油'], available: false });
    await addExpert('E', { fields: ['计量溯源方案'], tags: [], poolAllowed: false });
  });
  after(() => t?.close());

  it('the response clock counts working days over National Day (3 working days from 9-30 is the make-up Saturday 10-10) and flags overdue', async () => {
    const number = await submit(company.user.id);
    const [n] = await t.db.select().from(needs).where(eq(needs.number, number));
    expect(n!.dueDate).to.equal('2026-10-10');
    expect(n!.status).to.equal('submitted');
    clock.set('2026-10-10T16:00:00+08:00');
    expect((await t.services.needs.list(await principal(company.user.id))).find((r) => r.need.number === number)!.overdue).to.equal(false);
    clock.set('2026-10-12T09:00:00+08:00');
    expect((await t.services.needs.list(await principal(company.user.id))).find((r) => r.need.number === number)!.overdue).to.equal(true);
    clock.set('2026-09-30T10:00:00+08:00');
  });

  it('matching ranks the pool by field, tags, load and ratings, and explains each score', async () => {
    const need = { type: '计量溯源方案', title: '压力变送器溯源', description: '储罐区燃料油计量' };
    const ranked = rankExperts(await expertPool(t.db), need, '2026-09-30');
    const order = ranked.map((m) => m.expert.name);
    expect(order.slice(0, 4)).to.deep.equal(['专家A', '专家B', '专家E', '专家C']);
    expect(order).not.to.include('专家D'); // not available
    expect(ranked[0]!.score).to.equal(40 + 20 + 20 + 6);
    expect(ranked[0]!.explanation).to.include('擅长“计量溯源方案”').and.include('关键词匹配：压力、燃料油').and.include('在办 0/4 件');
    // load: A takes two needs, B overtakes it
    const admin = await principal(coordinator.id);
    for (let i = 0; i < 3; i++) {
      const number = await submit(company.user.id, { title: `溯源方案 ${i}` });
      await t.services.needs.assign(admin, number, { expert: String(pool.A!.expertId) });
    }
    const again = rankExperts(await expertPool(t.db), need, '2026-09-30').map((m) => m.expert.name);
    expect(again.indexOf('专家B')).to.be.lessThan(again.indexOf('专家A'));
  });

  it('assigning names the expert; moving the need to another expert says so, tells the first one, and the same expert twice is refused', async () => {
    const coord = await principal(coordinator.id);
    const number = await submit(company.user.id, { title: '改派测试' });
    expect(await t.services.needs.assign(coord, number, { expert: String(pool.B!.expertId) })).to.deep.equal({ expert: '专家B', previous: null });
    const again = await t.services.needs.assign(coord, number, { expert: String(pool.B!.expertId) }).catch((e: unknown) => e as Error);
    expect((again as Error).message).to.contain('已指派给专家B');
    expect(await t.services.needs.assign(coord, number, { expert: String(pool.E!.expertId) })).to.deep.equal({ expert: '专家E', previous: '专家B' });
    const [n] = await t.db.select().from(needs).where(eq(needs.number, number));
    expect(n!.expertId).to.equal(pool.E!.expertId);
    const told = await t.db.select({ title: notifications.title }).from(notifications).where(eq(notifications.userId, pool.B!.user.id));
    expect(told.map((x) => x.title)).to.include(`${number} 已改派其他专家`);
    const [moved] = await t.db.select({ note: events.note }).from(events).where(and(eq(events.entityType, 'need'), eq(events.entityId, String(n!.id)), eq(events.action, 'need.assigned'))).orderBy(desc(events.id)).limit(1);
    expect(moved!.note).to.equal('由专家B改派给专家E');
  });

  it('states: submitted → assigned → answering → resolved → rated; the rating feeds the expert score; or closed with a reason', async () => {
    const number = await submit(company.user.id, { title: '天平溯源方案' });
    const coord = await principal(coordinator.id);
    await t.services.needs.assign(coord, number, { expert: String(pool.B!.expertId) });
    const expertB = await principal(pool.B!.user.id);
    await t.services.needs.message(expertB, number, { body: '请提供天平型号和使用场景。' });
    let [n] = await t.db.select().from(needs).where(eq(needs.number, number));
    expect(n!.status).to.equal('answering');
    expect(n!.firstAnswerAt).to.not.equal(null);
    await t.services.needs.message(await principal(company.user.id), number, { body: '型号 XS205，用于来料检验。' });
    await t.services.needs.resolve(expertB, number, { resolution: '建议送省计量院校准并建立期间核查，方案见留言。', proposedBundle: 'EXPORT-CERT' });
    await t.services.needs.rate(await principal(company.user.id), number, { level: '2' });
    [n] = await t.db.select().from(needs).where(eq(needs.number, number));
    expect([n!.status, n!.ratingLevel, n!.proposedBundle]).to.deep.equal(['rated', 2, 'EXPORT-CERT']);
    const b = (await expertPool(t.db)).find((e) => e.id === pool.B!.expertId)!;
    expect(Number(b.rating)).to.equal(2);

    const closed = await submit(company.user.id, { title: '无法答复的需求' });
    await t.services.needs.close(coord, closed, { reason: '企业撤回需求' });
    const [c] = await t.db.select().from(needs).where(eq(needs.number, closed));
    expect([c!.status, c!.closedReason]).to.deep.equal(['closed', '企业撤回需求']);
  });

  it('scope: companies see only theirs, experts their assigned needs and the open pool, park admins their park’s', async () => {
    const open = await submit(company.user.id, { title: '池中待接单需求' });
    const taken = await submit(company.user.id, { title: '已指派给 A 的需求' });
    await t.services.needs.assign(await principal(coordinator.id), taken, { expert: String(pool.A!.expertId) });
    const parkNeed = await t.services.needs.submit(await principal((await createUser(t.db, 'park_admin', { parkCode: 'P-PUTUO' })).id), { type: '园区质量诊断', title: '园区质量诊断', description: '园区企业共性质量问题诊断与提升方案。', preferredWay: 'meeting' });

    const as = async (u: TestUser) => {
      const a = agentFor(t.app);
      await login(a, u.mobile, u.password);
      return a;
    };
    expect((await (await as(other.user)).get(`/needs/${open}`)).status).to.equal(404);
    expect((await (await as(company.user)).get(`/needs/${open}`)).status).to.equal(200);
    const b = await as(pool.B!.user);
    expect((await b.get(`/needs/${open}`)).status).to.equal(200); // the open pool
    expect((await b.get(`/needs/${taken}`)).status).to.equal(404); // someone else's
    expect((await (await as(pool.A!.user)).get(`/needs/${taken}`)).status).to.equal(200);
    expect((await (await as(pool.E!.user)).get(`/needs/${open}`)).status).to.equal(404); // no pool for E
    const dinghaiAdmin = await createUser(t.db, 'park_admin', { parkCode: 'P-DINGHAI' });
    expect((await (await as(dinghaiAdmin)).get(`/needs/${open}`)).status).to.equal(200);
    expect((await (await as(dinghaiAdmin)).get(`/needs/${parkNeed}`)).status).to.equal(404);
    const staff = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
    expect((await (await as(staff)).get(`/needs/${open}`)).status).to.equal(404);
    expect((await (await as(staff)).get('/coordinator/needs')).status).to.equal(403);
    expect((await (await as(company.user)).get('/coordinator/needs')).status).to.equal(403);
    expect((await (await as(coordinator)).get('/coordinator/needs')).status).to.equal(200);
    const listB = await b.get('/needs');
    expect(listB.text).to.include(open).and.not.include(taken);
    // an expert may not assign; a company may not resolve
    expect(await t.services.needs.assign(await principal(pool.B!.user.id), open, { expert: String(pool.B!.expertId) }).catch((e: unknown) => e)).to.be.instanceOf(ForbiddenError);
    expect(await t.services.needs.resolve(await principal(other.user.id), open, { resolution: '越权答复的内容十个字以上' }).catch((e: unknown) => e)).to.be.instanceOf(NotFoundError);
    // B accepts from the pool: now it is B's and off the pool
    await t.services.needs.accept(await principal(pool.B!.user.id), open);
    expect((await (await as(pool.C!.user)).get(`/needs/${open}`)).status).to.equal(404);
  });

  it('a refused need form shows the message next to the field and keeps the input (422)', async () => {
    const a = agentFor(t.app);
    await login(a, company.user.mobile, company.user.password);
    const page = await a.get('/needs');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const before = await t.db.$count(needs);
    const res = await a.post('/needs').type('form').send({ _csrf: csrf, type: '技术难题', title: '焊缝探伤标准选用', description: '太短', preferredWay: 'visit' });
    expect(res.status).to.equal(422);
    expect(res.text).to.include('焊缝探伤标准选用').and.include('需求描述');
    expect(await t.db.$count(needs)).to.equal(before);
  });
});
