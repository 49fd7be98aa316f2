import { expect } from 'chai';
import { and, eq, sql } from 'drizzle-orm';
import type { Principal } from '../../src/auth/access.js';
import { attachments, bookings, capacityWindows, events, experts, needBookings, needMessages, needs, nodes, users } from '../../src/db/schema.js';
import { rankExperts } from '../../src/needs/matching.js';
import { expertPool } from '../../src/needs/needs.repo.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/shared/errors.js';
import { settableClock } from '../support/clock.js';
import { agentFor, createTestApp, login, type Agent, type TestApp } from '../support/app.js';
import { EXE, filesUnder, MONDAY_BEFORE_NATIONAL_DAY, nodeServiceOf, PDF, postMultipart, setCapacity } from '../support/bookings.js';
import { onPostgresServer } from '../support/db.js';
import { createCompanyUser, createUser, type TestUser } from '../support/factories.js';

describe(`quality needs: documents, single bookings, expert availability (${onPostgresServer ? 'PostgreSQL server' : 'PGlite'})`, function () {
  this.timeout(120_000);
  let t: TestApp;
  const clock = settableClock(MONDAY_BEFORE_NATIONAL_DAY);
  let company: Awaited<ReturnType<typeof createCompanyUser>>;
  let other: Awaited<ReturnType<typeof createCompanyUser>>;
  let coordinator: TestUser;
  const pool: Record<string, { user: TestUser; expertId: number }> = {};
  const principal = async (id: number) => (await t.services.auth.loadPrincipal(id)) as Principal;
  let seq = 0;

  async function addExpert(key: string, p: { fields: string[]; tags: string[]; maxLoad?: number }) {
    const user = await createUser(t.db, 'expert', {}, { name: `档案专家${key}` });
    const [row] = await t.db.insert(experts).values({ userId: user.id, organisation: '测试单位', fields: p.fields, tags: p.tags, qualifications: [], maxLoad: p.maxLoad ?? 4 }).returning({ id: experts.id });
    pool[key] = { user, expertId: row!.id };
  }
  const as = async (u: TestUser): Promise<Agent> => {
    const a = agentFor(t.app);
    await login(a, u.mobile, u.password);
    return a;
  };
  const csrfOf = async (a: Agent, page: string) => /name="_csrf" value="([^"]+)"/.exec((await a.get(page)).text)![1]!;
  const submit = async (title = `焊缝渗漏原因分析 ${++seq}`) =>
    t.services.needs.submit(await principal(company.user.id), { type: '技术难题', title, description: '压力管路焊缝试压渗漏，需分析焊接工艺和检测方案。', preferredWay: 'online' });
  const counts = async () => ({ needs: await t.db.$count(needs), messages: await t.db.$count(needMessages), attachments: await t.db.$count(attachments), files: filesUnder(t.uploadDir).length });

  before(async () => {
    t = await createTestApp({ clock });
    company = await createCompanyUser(t.db, { parkCode: 'P-DINGHAI' });
    other = await createCompanyUser(t.db, { parkCode: 'P-PUTUO' });
    coordinator = await createUser(t.db, 'lab_staff', { nodeCode: 'ZS-CENTRE' });
    await t.db.update(users).set({ coordinatorSince: new Date() }).where(eq(users.id, coordinator.id));
    await addExpert('A', { fields: ['技术难题'], tags: ['焊缝', '渗漏'] });
    await addExpert('B', { fields: ['技术难题'], tags: ['焊缝'] });
    await addExpert('C', { fields: ['技术难题'], tags: [] });
  });
  after(() => t?.close());

  describe('documents on a need and on its thread', () => {
    let number: string;

    it('a company attaches files when submitting; readers in scope download them (attachment, stored type); others get 404', async () => {
      const a = await as(company.user);
      const res = await postMultipart(a, '/needs', { _csrf: await csrfOf(a, '/needs'), type: '技术难题', title: '焊缝探伤方案咨询', description: '储罐焊缝探伤比例与验收标准的选用咨询。', preferredWay: 'online' }, [{ field: 'file_need_file', buffer: PDF, name: '焊缝照片说明.pdf' }]);
      expect(res.status).to.equal(303);
      number = /\/needs\/(XQ-[\d-]+)/.exec(res.headers.location as string)![1]!;
      const [need] = await t.db.select().from(needs).where(eq(needs.number, number));
      const rows = await t.db.select().from(attachments).where(eq(attachments.needId, need!.id));
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({ originalName: '焊缝照片说明.pdf', mimeType: 'application/pdf', bookingId: null, needMessageId: null, purpose: 'need_file' });
      const href = `/needs/${number}/attachments/${rows[0]!.id}`;
      expect((await a.get(`/needs/${number}`)).text).to.include(href);

      const dl = await a.get(href).buffer(true);
      expect(dl.status).to.equal(200);
      expect(dl.headers['content-type']).to.match(/^application\/pdf/);
      expect(dl.headers['content-disposition']).to.match(/^attachment;/);
      expect(Buffer.compare(dl.body as Buffer, PDF)).to.equal(0);

      expect((await (await as(other.user)).get(href)).status).to.equal(404); // another company
      expect((await (await as(await createUser(t.db, 'park_admin', { parkCode: 'P-PUTUO' }))).get(href)).status).to.equal(404); // another park
      expect((await (await as(await createUser(t.db, 'park_admin', { parkCode: 'P-DINGHAI' }))).get(href)).status).to.equal(200); // its park
      expect((await (await as(coordinator)).get(href)).status).to.equal(200);
      const poolExpert = await as(pool.C!.user);
      expect((await poolExpert.get(`/needs/${number}`)).status).to.equal(200); // the open pool shows the need …
      expect((await poolExpert.get(href)).status).to.equal(404); // … but its documents only once assigned
      expect((await a.get(`/needs/${number}/attachments/999999`)).status).to.equal(404);
    });

    it('the assigned expert attaches a file to a thread message; the company downloads it; an expert not assigned gets 404', async () => {
      await t.services.needs.assign(await principal(coordinator.id), number, { expert: String(pool.A!.expertId) });
      const e = await as(pool.A!.user);
      const res = await postMultipart(e, `/needs/${number}/messages`, { _csrf: await csrfOf(e, `/needs/${number}`), body: '附上建议的探伤比例，请按此安排复检。' }, [{ field: 'file_need_file', buffer: PDF, name: '复检方案.pdf' }]);
      expect(res.status).to.equal(303);
      const [msg] = await t.db.select().from(needMessages).where(eq(needMessages.body, '附上建议的探伤比例，请按此安排复检。'));
      const [file] = await t.db.select().from(attachments).where(eq(attachments.needMessageId, msg!.id));
      expect(file).to.include({ originalName: '复检方案.pdf', ownerUserId: pool.A!.user.id });
      const href = `/needs/${number}/attachments/${file!.id}`;
      const page = await (await as(company.user)).get(`/needs/${number}`);
      expect(page.text).to.include(href).and.include('复检方案.pdf');
      expect((await (await as(company.user)).get(href)).status).to.equal(200);
      expect((await (await as(pool.B!.user)).get(href)).status).to.equal(404);
      // the thread's files are a need's documents, never booking drafts: the draft sweeper leaves them
      await t.db.update(attachments).set({ createdAt: new Date(Date.now() - 86_400_000) }).where(eq(attachments.id, file!.id));
      await t.services.bookings.sweepStaleDrafts();
      expect(await t.db.$count(attachments, eq(attachments.id, file!.id))).to.equal(1);
    });

    it('a disguised or oversized file is refused next to the field (422), the input kept, nothing saved and no file left', async () => {
      const a = await as(company.user);
      const before = await counts();
      const form = { _csrf: await csrfOf(a, '/needs'), type: '技术难题', title: '伪装文件的需求', description: '这份需求带着一个伪装成 PDF 的程序文件。', preferredWay: 'online' };
      const disguised = await postMultipart(a, '/needs', form, [{ field: 'file_need_file', buffer: EXE, name: '检测报告.pdf' }]);
      expect(disguised.status).to.equal(422);
      expect(disguised.text).to.match(/id="f-need-files-error">[^<]*不是允许的类型/);
      expect(disguised.text).to.include('伪装文件的需求'); // the input kept
      const big = await postMultipart(a, '/needs', form, [{ field: 'file_need_file', buffer: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]), name: 'big.pdf' }]);
      expect(big.status).to.equal(422);
      expect(big.text).to.include('超过 10 MB').and.include('伪装文件的需求');
      expect(await counts()).to.deep.equal(before);

      // on the thread too: the message is not posted and the text stays in the box
      const msg = await postMultipart(a, `/needs/${number}/messages`, { _csrf: await csrfOf(a, `/needs/${number}`), body: '补充一份现场记录。' }, [{ field: 'file_need_file', buffer: EXE, name: '现场记录.pdf' }]);
      expect(msg.status).to.equal(422);
      expect(msg.text).to.match(/id="f-message-files-error">[^<]*不是允许的类型/);
      expect(msg.text).to.include('补充一份现场记录。');
      expect(await counts()).to.deep.equal(before);
    });

    it('a file is removed again when the transaction that would record it fails (a closed need)', async () => {
      const closed = await submit('已关闭的需求');
      await t.services.needs.close(await principal(coordinator.id), closed, { reason: '企业撤回' });
      const before = await counts();
      const err = await t.services.needs.message(await principal(company.user.id), closed, { body: '关闭后的留言' }, { files: [{ purpose: 'need_file', originalname: 'a.pdf', buffer: PDF, size: PDF.length }] }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ConflictError);
      expect(await counts()).to.deep.equal(before);
    });
  });

  describe('a need turned directly into single bookings', () => {
    async function bookingBody(number: string, key: string) {
      const plan = await t.services.needs.bookingPlan(await principal(company.user.id), number);
      const body: Record<string, string> = { idempotencyKey: key, contactName: '张伟', contactMobile: '13900000101', description: '出口产品对标欧盟标准并检定电子天平。', s2_instrumentName: '电子天平', s2_serialNo: `EB-${key.slice(-4)}`, s2_quantity: '1' };
      for (const s of plan.steps) {
        const node = s.nodes.find((n) => n.windows.length > 0)!;
        body[`s${s.position}_node`] = String(node.id);
        body[`s${s.position}_slot`] = node.windows[0]!.value;
      }
      return { plan, body };
    }

    it('the expert proposes services; the company books one booking per service in one go, linked both ways and on the timeline', async () => {
      const number = await submit('出口产品对标与天平检定');
      await t.services.needs.assign(await principal(coordinator.id), number, { expert: String(pool.B!.expertId) });
      const expertB = await principal(pool.B!.user.id);
      expect(await t.services.needs.propose(await principal(company.user.id), number, { services: ['BZ-BENCH'] }).catch((e: unknown) => e)).to.be.instanceOf(ForbiddenError);
      expect(await t.services.needs.propose(await principal(pool.C!.user.id), number, { services: ['BZ-BENCH'] }).catch((e: unknown) => e)).to.be.instanceOf(NotFoundError);
      const bad = await t.services.needs.propose(expertB, number, { services: ['NO-SUCH'] }).catch((e: unknown) => e);
      expect((bad as ValidationError).fieldErrors.services).to.include('不存在');
      const e = await as(pool.B!.user);
      const res = await e.post(`/needs/${number}/proposal`).type('form').send({ _csrf: await csrfOf(e, `/needs/${number}`), services: ['BZ-BENCH', 'CAL-EBAL'] });
      expect(res.status).to.equal(303);
      const [n] = await t.db.select().from(needs).where(eq(needs.number, number));
      expect(n!.proposedServices).to.deep.equal(['BZ-BENCH', 'CAL-EBAL']);

      const a = await as(company.user);
      expect((await a.get(`/needs/${number}`)).text).to.include(`/needs/${number}/bookings`);
      expect((await (await as(other.user)).get(`/needs/${number}/bookings`)).status).to.equal(404);
      const form = await a.get(`/needs/${number}/bookings`);
      expect(form.status).to.equal(200);
      expect(form.text).to.include('s1_slot').and.include('s2_instrumentName');

      const { body } = await bookingBody(number, `need-book-${process.pid}-0001`);
      const before = await t.db.$count(bookings);
      const posted = await a.post(`/needs/${number}/bookings`).type('form').send({ _csrf: await csrfOf(a, `/needs/${number}/bookings`), ...body });
      expect(posted.status).to.equal(303);
      expect(await t.db.$count(bookings)).to.equal(before + 2);
      const links = await t.db.select({ number: bookings.number, remarks: bookings.remarks, serviceId: bookings.serviceId }).from(needBookings).innerJoin(bookings, eq(bookings.id, needBookings.bookingId)).where(eq(needBookings.needId, n!.id));
      expect(links).to.have.length(2);
      expect(links.every((l) => l.remarks!.includes(number))).to.equal(true);
      const [event] = await t.db.select().from(events).where(and(eq(events.entityType, 'need'), eq(events.entityId, String(n!.id)), eq(events.action, 'need.booked')));
      expect((event!.data as { bookings: string[] }).bookings.sort()).to.deep.equal(links.map((l) => l.number).sort());
      const page = await a.get(`/needs/${number}`);
      for (const l of links) expect(page.text).to.include(l.number);
      expect(page.text).to.include('已按专家建议预约 2 项服务');
      const bookingPage = await a.get(`/bookings/${links[0]!.number}`);
      expect(bookingPage.text).to.include('来自质量需求').and.include(`href="/needs/${number}"`);

      // the same form again books nothing more; the proposal can no longer change
      const again = await t.services.needs.book(await principal(company.user.id), number, body);
      expect(again.duplicate).to.equal(true);
      expect(await t.db.$count(bookings)).to.equal(before + 2);
      expect(await t.services.needs.propose(expertB, number, { services: ['BZ-BENCH'] }).catch((err: unknown) => err)).to.be.instanceOf(ConflictError);
    });

    it('all-or-nothing: when one service has no room, no booking is made and the message names it', async () => {
      const number = await submit('对标与检定，天平时段已满');
      await t.services.needs.assign(await principal(coordinator.id), number, { expert: String(pool.B!.expertId) });
      await t.services.needs.propose(await principal(pool.B!.user.id), number, { services: ['BZ-BENCH', 'CAL-EBAL'] });
      const { body } = await bookingBody(number, `need-book-${process.pid}-0002`);
      const chosen = await nodeServiceOf(t.db, (await nodeCodeOf(Number(body.s2_node)))!, 'CAL-EBAL');
      // the chosen window (and every other of that service at that node) is full now
      await setCapacity(t.db, chosen.ns.id, 0);
      await t.db.update(capacityWindows).set({ capacity: sql`${capacityWindows.used}` }).where(eq(capacityWindows.nodeServiceId, chosen.ns.id));
      const before = await t.db.$count(bookings);
      const err = await t.services.needs.book(await principal(company.user.id), number, body).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).fieldErrors.s2_slot).to.include('第 2 步');
      expect(await t.db.$count(bookings)).to.equal(before);
      const [n] = await t.db.select().from(needs).where(eq(needs.number, number));
      expect(await t.db.$count(needBookings, eq(needBookings.needId, n!.id))).to.equal(0);
      await setCapacity(t.db, chosen.ns.id, 4);
      await t.db.update(capacityWindows).set({ capacity: 4 }).where(eq(capacityWindows.nodeServiceId, chosen.ns.id));
    });
  });

  async function nodeCodeOf(id: number) {
    const [row] = await t.db.select({ code: nodes.code }).from(nodes).where(eq(nodes.id, id));
    return row?.code;
  }

  describe('expert availability and maximum load', () => {
    const need = { type: '技术难题', title: '焊缝渗漏', description: '压力管路焊缝渗漏' };

    it('an expert edits their own profile; bad input is refused next to the field with the input kept; another expert’s is 404', async () => {
      const e = await as(pool.A!.user);
      const href = `/experts/${pool.A!.expertId}/profile`;
      expect((await e.get('/needs')).text).to.include(href);
      const page = await e.get(href);
      expect(page.status).to.equal(200);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const good = { _csrf: csrf, fields: ['技术难题', '检测方法开发'], tags: '焊缝、渗漏，无损检测', qualifications: '无损检测Ⅲ级', state: 'paused', pausedUntil: '2026-10-05', maxLoad: '3' };
      const refused = await e.post(href).type('form').send({ ...good, maxLoad: '0', tags: '保留的关键词' });
      expect(refused.status).to.equal(422);
      expect(refused.text).to.match(/id="f-maxLoad-error">同时在办上限应为 1–20 的整数/);
      expect(refused.text).to.include('保留的关键词');
      const past = await e.post(href).type('form').send({ ...good, pausedUntil: '2026-09-01' });
      expect(past.status).to.equal(422);
      expect(past.text).to.include('暂停截止日期不能早于今天');
      expect((await e.post(href).type('form').send({ ...good, fields: [] })).status).to.equal(422);
      const [unchanged] = await t.db.select().from(experts).where(eq(experts.id, pool.A!.expertId));
      expect([unchanged!.available, unchanged!.maxLoad]).to.deep.equal([true, 4]);

      expect((await e.post(href).type('form').send(good)).status).to.equal(303);
      const [saved] = await t.db.select().from(experts).where(eq(experts.id, pool.A!.expertId));
      expect(saved).to.deep.include({ available: false, pausedUntil: '2026-10-05', maxLoad: 3, fields: ['技术难题', '检测方法开发'], tags: ['焊缝', '渗漏', '无损检测'], qualifications: ['无损检测Ⅲ级'] });

      // another expert's profile: not found, and nothing changes
      const other = `/experts/${pool.B!.expertId}/profile`;
      expect((await e.get(other)).status).to.equal(404);
      expect((await e.post(other).type('form').send({ ...good, maxLoad: '1' })).status).to.equal(404);
      expect((await t.db.select().from(experts).where(eq(experts.id, pool.B!.expertId)))[0]!.maxLoad).to.equal(4);
      expect((await (await as(company.user)).get(other)).status).to.equal(403);
      // a coordinator edits anyone's
      const c = await as(coordinator);
      const cPage = await c.get(other);
      expect(cPage.status).to.equal(200);
      const cCsrf = /name="_csrf" value="([^"]+)"/.exec(cPage.text)![1]!;
      expect((await c.post(other).type('form').send({ _csrf: cCsrf, fields: '技术难题', tags: '焊缝', qualifications: '', state: 'open', pausedUntil: '', maxLoad: '1' })).status).to.equal(303);
      expect((await t.db.select().from(experts).where(eq(experts.id, pool.B!.expertId)))[0]!.maxLoad).to.equal(1);
    });

    it('matching leaves out a paused expert until the pause ends and a full one, and the coordinator sees why; assigning them is refused', async () => {
      // A: paused until 10-05; B: max 1 and already answering one need (from the bookings tests)
      const today = '2026-09-28';
      const names = (day: string) => expertPool(t.db).then((p) => rankExperts(p, need, day).map((m) => m.expert.name));
      const now = await names(today);
      expect(now).to.not.include('档案专家A');
      expect(now).to.not.include('档案专家B');
      expect(now).to.include('档案专家C');
      expect(await names('2026-10-06')).to.include('档案专家A'); // the pause is over
      const number = await submit('焊缝渗漏复检方案');
      const page = await (await as(coordinator)).get(`/needs/${number}`);
      expect(page.text).to.include('档案专家A（暂停接单至 2026-10-05）');
      expect(page.text).to.match(/档案专家B（已满负荷（在办 \d\/1 件））/);
      const refused = await t.services.needs.assign(await principal(coordinator.id), number, { expert: String(pool.A!.expertId) }).catch((e: unknown) => e);
      expect((refused as ValidationError).fieldErrors.expert).to.include('暂停接单');
      // paused experts do not see the open pool either
      expect((await (await as(pool.A!.user)).get(`/needs/${number}`)).status).to.equal(404);
      clock.set('2026-10-06T09:00:00+08:00');
      expect((await (await as(pool.A!.user)).get(`/needs/${number}`)).status).to.equal(200);
      clock.set(MONDAY_BEFORE_NATIONAL_DAY);
    });
  });
});
