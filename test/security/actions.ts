import { expect } from 'chai';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { accountTokens, apiKeys, bookings, bundles, chainRequests, chainSteps, closures, enterprises, evaluations, experts, invitations, joinRequests, measurementStandards, needBookings, needMessages, needs, nodes, nodeServices, notifications, outbox, queueTickets, services, signatories, users, webhookDeliveries, webhookSubscriptions, windowCases } from '../../src/db/schema.js';
import { hashToken } from '../../src/company/tokens.js';
import { agentFor, login, type Agent } from '../support/app.js';
import { calibrationFields, openBookingForm, PDF, type FileToSend } from '../support/bookings.js';
import { createCompanyUser, createUser, TEST_PASSWORD, uniqueMobile, validCreditCode } from '../support/factories.js';
import { bookCalibration, labAction } from '../support/lab.js';
import { exportCertForm, fileExportCert, finishChain, stepsOfChain } from '../support/chains.js';
import { advance, type LabStep, type PrincipalKey, type World } from './fixture.js';
import { IN_SCOPE_MORE } from './actions-more.js';

/**
 * One valid, in-scope request per state-changing route, on a record made fresh for it: who sends it, what, and what
 * it must have changed. The CSRF matrix sends these in every content type; the access matrix sends them as each
 * principal in scope. The expected change is written here from what the route is for, not read from the code.
 */
export interface Attempt {
  agent: Agent;
  url: string;
  fields: Record<string, string | string[]>;
  /** A file the form may carry (upload routes). */
  files?: FileToSend[];
  /** Asserts the request did what it is for (called after a 2xx/3xx answer). */
  done(res: { status: number; headers: Record<string, string> }): Promise<unknown>;
  /** Whether the agent's session still exists afterwards (logout ends it). */
  signedIn: boolean;
}

export interface InScopeSpec {
  /** Principals who may send it; `anon` for public forms. Each gets its own fresh record. */
  who: (PrincipalKey | 'fresh')[];
  /** The route parses multipart itself (registered through multipartForm): multipart is a supported body there. */
  upload?: boolean;
  /**
   * An upload route whose whole point is the file (a photo, a workbook): sent without one it must refuse (422) and save
   * nothing; its in-scope request is sent as multipart with `files`.
   */
  needsFile?: boolean;
  prepare(w: World, who: PrincipalKey | 'fresh'): Promise<Attempt>;
}

/** N1's working days ahead of the fixture's clock (not 10-20: the fixture closes N1 that day). */
const N1_SLOTS = ['2026-09-29', '2026-09-30', '2026-10-08', '2026-10-09', '2026-10-12', '2026-10-13', '2026-10-14', '2026-10-15', '2026-10-16', '2026-10-19', '2026-10-21', '2026-10-22', '2026-10-23'].flatMap((d) => [`${d}|am`, `${d}|pm`]);
let slotTurn = 0;
let counter = 0;
const next = () => ++counter;
/** The next window of N1 in turn (the fixture's windows hold a few instruments each: fresh bookings spread out). */
export const nextSlot = () => N1_SLOTS[slotTurn++ % N1_SLOTS.length]!;

const statusOf = async (w: World, number: string) => (await w.t.db.select({ s: bookings.status, date: bookings.date }).from(bookings).where(eq(bookings.number, number)))[0]!;

/** A booking of entA at N1 taken through `steps` (fresh for one request). */
export async function freshBooking(w: World, steps: LabStep[] = []): Promise<string> {
  const number = await bookCalibration(w.t, w.users.entA.id, { slot: nextSlot(), serials: [`FRESH-${next()}`] });
  await advance(w.t, w.agents, w.users, number, steps);
  return number;
}

const agentOf = (w: World, who: PrincipalKey | 'fresh'): Agent => (who === 'anon' || who === 'fresh' ? agentFor(w.t.app) : w.agents[who]);

async function signedInFresh(w: World): Promise<{ agent: Agent; user: Awaited<ReturnType<typeof createCompanyUser>>['user'] }> {
  const { user } = await createCompanyUser(w.t.db, { name: `新注册${next()}有限公司` });
  const agent = agentFor(w.t.app);
  await login(agent, user.mobile, TEST_PASSWORD);
  return { agent, user };
}

/** A node of its own (so deactivating it or its offerings touches nothing else), offering CAL-PG. */
async function freshNode(w: World) {
  const n = next();
  const [node] = await w.t.db
    .insert(nodes)
    .values({ code: `ST-FRESH-${n}`, name: `测试服务站${n}号`, shortName: `测试${n}`, kind: 'station', district: '定海区', address: '舟山市定海区测试路 9 号', hours: '工作日 8:30–17:00', phone: '0580-2281001' })
    .returning({ id: nodes.id });
  const [svc] = await w.t.db.select({ id: services.id }).from(services).where(eq(services.code, 'CAL-PG'));
  const [offering] = await w.t.db.insert(nodeServices).values({ nodeId: node!.id, serviceId: svc!.id, capacityAm: 5, capacityPm: 5 }).returning({ id: nodeServices.id });
  return { nodeId: node!.id, offeringId: offering!.id, code: `ST-FRESH-${n}` };
}

async function freshService(w: World) {
  const n = next();
  const [row] = await w.t.db
    .insert(services)
    .values({ code: `BZ-FRESH-${n}`, name: `测试咨询服务${n}`, categoryCode: 'standards', bookingKind: 'consultation', summary: '用于测试的标准化咨询服务简介文字。', standards: [], turnaroundDays: 5, feeBasis: '免费', requiredDocuments: [], deliveryModes: ['online'] })
    .returning({ id: services.id });
  return row!.id;
}

const nodeFields = (n: number, name = `六横测试服务站${n}`) => ({
  code: `ST-NEW-${n}`,
  name,
  shortName: `六横${n}`,
  kind: 'station',
  parkId: '',
  district: '普陀区',
  address: '舟山市普陀区六横镇临港大道 1 号',
  hours: '工作日 8:30–17:00',
  phone: '0580-2281808',
  contactName: '林晓',
  description: '',
});

const serviceFields = (code: string, name: string) => ({
  code,
  name,
  categoryCode: 'standards',
  bookingKind: 'consultation',
  summary: '用于测试的标准化咨询服务简介文字。',
  description: '',
  standards: 'GB/T 1.1-2020',
  turnaroundDays: '5',
  feeBasis: '公益服务，免费',
  requiredDocuments: '企业简介',
  deliveryModes: ['online'],
  instrumentCategoryCode: '',
  keywords: '测试',
});

const redirected = (res: { status: number }) => expect([302, 303], `answered ${res.status}`).to.include(res.status);


/** Integrations (API keys, webhooks): each base with the principal who manages it there. */
const INTEGRATIONS = [
  { base: '/company', who: 'entA' },
  { base: '/lab', who: 'mgr1' },
  { base: '/admin', who: 'admin' },
] as const;
const principalOf = async (w: World, who: Exclude<PrincipalKey, 'anon'>) => (await w.t.services.auth.loadPrincipal(w.users[who].id))!;
const freshHook = async (w: World, who: 'entA' | 'mgr1') => w.t.services.webhooks.create(await principalOf(w, who), { url: `http://127.0.0.1:9/h${next()}`, events: ['booking.created'] });

function integrationSpecs(): Record<string, InScopeSpec> {
  const specs: Record<string, InScopeSpec> = {};
  for (const { base, who } of INTEGRATIONS) {
    specs[`POST ${base}/api-keys`] = {
      who: [who],
      async prepare(w) {
        const name = `矩阵密钥${next()}`;
        return { agent: w.agents[who], url: `${base}/api-keys`, fields: { name, scopes: ['read'] }, signedIn: true, done: async () => expect(await w.t.db.$count(apiKeys, eq(apiKeys.name, name))).to.equal(1) };
      },
    };
    specs[`POST ${base}/api-keys/:id/revoke`] = {
      who: [who],
      async prepare(w) {
        const { id } = await w.t.services.keys.create(await principalOf(w, who), { name: `待停用${next()}`, scopes: ['read'] });
        return { agent: w.agents[who], url: `${base}/api-keys/${id}/revoke`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select().from(apiKeys).where(eq(apiKeys.id, id)))[0]!.revokedAt).not.to.equal(null)) };
      },
    };
    if (who === 'admin') continue;
    specs[`POST ${base}/webhooks`] = {
      who: [who],
      async prepare(w) {
        const url = `http://127.0.0.1:9/new${next()}`;
        return { agent: w.agents[who], url: `${base}/webhooks`, fields: { url, events: ['booking.created', 'report.issued'] }, signedIn: true, done: async () => expect(await w.t.db.$count(webhookSubscriptions, eq(webhookSubscriptions.url, url))).to.equal(1) };
      },
    };
    specs[`POST ${base}/webhooks/:id/remove`] = {
      who: [who],
      async prepare(w) {
        const { id } = await freshHook(w, who);
        return { agent: w.agents[who], url: `${base}/webhooks/${id}/remove`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)))[0]!.active).to.equal(false)) };
      },
    };
    specs[`POST ${base}/webhooks/:id/ping`] = {
      who: [who],
      async prepare(w) {
        const { id } = await freshHook(w, who);
        return { agent: w.agents[who], url: `${base}/webhooks/${id}/ping`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(webhookDeliveries, eq(webhookDeliveries.subscriptionId, id))).to.equal(1)) };
      },
    };
    specs[`POST ${base}/webhooks/deliveries/:id/redeliver`] = {
      who: [who],
      async prepare(w) {
        const { id } = await freshHook(w, who);
        const [message] = await w.t.db.insert(outbox).values({ kind: 'webhook', status: 'sent', payload: { url: 'http://127.0.0.1:9/x', event: 'booking.created', subscriptionId: id, body: { id: `evt-${next()}`, type: 'booking.created', createdAt: new Date().toISOString(), data: {} } } }).returning({ id: outbox.id });
        const [log] = await w.t.db.insert(webhookDeliveries).values({ subscriptionId: id, outboxId: message!.id, eventId: 'evt', event: 'booking.created', attempt: 1, responseStatus: 500, error: '接收方返回 HTTP 500', durationMs: 3 }).returning({ id: webhookDeliveries.id });
        const copies = () => w.t.db.$count(outbox, and(eq(outbox.kind, 'webhook'), eq(outbox.status, 'pending')));
        const before = await copies();
        return { agent: w.agents[who], url: `${base}/webhooks/deliveries/${log!.id}/redeliver`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect(await copies()).to.equal(before + 1)) };
      },
    };
  }
  return specs;
}

const IN_SCOPE_FIRST: Record<string, InScopeSpec> = {
  ...integrationSpecs(),
  'POST /login': {
    who: ['anon'],
    async prepare(w) {
      const { user } = await createCompanyUser(w.t.db);
      const agent = agentFor(w.t.app);
      return {
        agent,
        url: '/login',
        fields: { identifier: user.mobile, password: TEST_PASSWORD },
        signedIn: false,
        async done(res) {
          redirected(res);
          expect((await agent.get('/account')).status, 'signed in').to.equal(200);
        },
      };
    },
  },
  'POST /logout': {
    who: ['fresh'],
    async prepare(w) {
      const { agent } = await signedInFresh(w);
      return {
        agent,
        url: '/logout',
        fields: {},
        signedIn: true,
        async done(res) {
          redirected(res);
          expect((await agent.get('/account')).status, 'signed out').to.equal(302);
        },
      };
    },
  },
  'POST /register': {
    who: ['anon'],
    async prepare(w) {
      const creditCode = validCreditCode();
      return {
        agent: agentFor(w.t.app),
        url: '/register',
        fields: { companyName: `注册测试${next()}有限公司`, creditCode, parkId: '', address: '舟山市定海区测试路 1 号', contactName: '王五', mobile: uniqueMobile(), email: '', password: 'Register-2026-ok', passwordConfirm: 'Register-2026-ok', agree: 'on' },
        signedIn: false,
        async done(res) {
          redirected(res);
          expect(await w.t.db.$count(enterprises, eq(enterprises.creditCode, creditCode))).to.equal(1);
        },
      };
    },
  },
  'POST /account/password': {
    who: ['fresh'],
    async prepare(w) {
      const { agent, user } = await signedInFresh(w);
      return {
        agent,
        url: '/account/password',
        fields: { currentPassword: TEST_PASSWORD, newPassword: 'Changed-pass-2026', newPasswordConfirm: 'Changed-pass-2026' },
        signedIn: true,
        async done(res) {
          redirected(res);
          await login(agentFor(w.t.app), user.mobile, 'Changed-pass-2026');
        },
      };
    },
  },
  'POST /bookings': {
    who: ['entA', 'entB'],
    upload: true,
    async prepare(w, who) {
      const agent = agentOf(w, who);
      const page = await openBookingForm(agent, 'CAL-PG', w.x.nodeId);
      const serial = `NEW-${next()}`;
      return {
        agent,
        url: '/bookings',
        fields: calibrationFields(page, w.x.nodeId, { slot: nextSlot(), 'items[0][serialNo]': serial, 'items[1][serialNo]': `${serial}-B` }) as Record<string, string>,
        files: [{ field: 'file_other', buffer: PDF, name: '清单.pdf' }],
        signedIn: true,
        async done(res) {
          expect(res.status).to.equal(303);
          const number = res.headers.location!.split('/').pop()!;
          expect((await statusOf(w, number)).s).to.equal('submitted');
        },
      };
    },
  },
  'POST /bookings/:no/cancel': {
    who: ['entA'],
    async prepare(w) {
      const number = await freshBooking(w);
      return { agent: w.agents.entA, url: `/bookings/${number}/cancel`, fields: { reason: '计划有变，取消送检' }, signedIn: true, done: async (res) => (redirected(res), expect((await statusOf(w, number)).s).to.equal('cancelled')) };
    },
  },
  'POST /bookings/:no/complete': {
    who: ['entA'],
    async prepare(w) {
      const number = await freshBooking(w, ['accept', 'receive', 'start', 'submit_results', 'verify', 'issue_report']);
      return { agent: w.agents.entA, url: `/bookings/${number}/complete`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect((await statusOf(w, number)).s).to.equal('completed')) };
    },
  },
  'POST /bookings/:no/evaluate': {
    who: ['entA'],
    async prepare(w) {
      const number = await freshBooking(w, ['accept', 'receive', 'start', 'submit_results', 'verify', 'issue_report']);
      await w.t.db.update(bookings).set({ status: 'completed' }).where(eq(bookings.number, number));
      return {
        agent: w.agents.entA,
        url: `/bookings/${number}/evaluate`,
        fields: { level: '5', comment: '服务很好' },
        signedIn: true,
        async done(res) {
          redirected(res);
          const [b] = await w.t.db.select({ id: bookings.id }).from(bookings).where(eq(bookings.number, number));
          expect(await w.t.db.$count(evaluations, eq(evaluations.bookingId, b!.id))).to.equal(1);
        },
      };
    },
  },
  'POST /bookings/:no/reschedule': {
    who: ['entA'],
    async prepare(w) {
      const number = await freshBooking(w);
      const before = (await statusOf(w, number)).date;
      let slot = nextSlot();
      while (slot.startsWith(before)) slot = nextSlot();
      return { agent: w.agents.entA, url: `/bookings/${number}/reschedule`, fields: { slot }, signedIn: true, done: async (res) => (redirected(res), expect((await statusOf(w, number)).date).to.equal(slot.slice(0, 10))) };
    },
  },
  'POST /bookings/:no/resubmit': {
    who: ['entA'],
    upload: true,
    async prepare(w) {
      const number = await freshBooking(w);
      expect((await labAction(w.agents.staff1, number, 'needs_info', { reason: '请补充上次证书' })).status).to.equal(303);
      return {
        agent: w.agents.entA,
        url: `/bookings/${number}/resubmit`,
        fields: { note: '已补充上次检定证书' },
        files: [{ field: 'file_correction', buffer: PDF, name: '证书.pdf' }],
        signedIn: true,
        done: async (res) => (redirected(res), expect((await statusOf(w, number)).s).to.equal('submitted')),
      };
    },
  },
  'POST /lab/bulk-accept': {
    who: ['staff1', 'mgr1'],
    async prepare(w, who) {
      const number = await freshBooking(w);
      return { agent: agentOf(w, who), url: '/lab/bulk-accept', fields: { numbers: [number] }, signedIn: true, done: async (res) => (redirected(res), expect((await statusOf(w, number)).s).to.equal('accepted')) };
    },
  },
  'POST /lab/bookings/:no/:action': {
    who: ['staff1', 'mgr1'],
    upload: true,
    async prepare(w, who) {
      const number = await freshBooking(w);
      // a file on the form's one file input (accepting ignores it; the upload steps read it)
      return { agent: agentOf(w, who), url: `/lab/bookings/${number}/accept`, fields: {}, files: [{ field: 'file_report_pdf', buffer: PDF, name: '报告.pdf' }], signedIn: true, done: async (res) => (redirected(res), expect((await statusOf(w, number)).s).to.equal('accepted')) };
    },
  },
  'POST /notifications/read-all': {
    who: ['entA', 'staff1', 'admin'],
    async prepare(w, who) {
      const user = w.users[who as Exclude<PrincipalKey, 'anon'>];
      await w.t.db.insert(notifications).values({ userId: user.id, bookingId: null, title: '测试消息', body: '未读', link: null });
      const unread = () => w.t.db.$count(notifications, and(eq(notifications.userId, user.id), isNull(notifications.readAt)));
      return { agent: agentOf(w, who), url: '/notifications/read-all', fields: {}, signedIn: true, done: async (res) => (redirected(res), expect(await unread()).to.equal(0)) };
    },
  },
  'POST /notifications/:id/read': {
    who: ['entA', 'staff1'],
    async prepare(w, who) {
      const user = w.users[who as Exclude<PrincipalKey, 'anon'>];
      const [n] = await w.t.db.insert(notifications).values({ userId: user.id, bookingId: null, title: '测试消息', body: '未读', link: '/account' }).returning({ id: notifications.id });
      const readAt = async () => (await w.t.db.select({ r: notifications.readAt }).from(notifications).where(eq(notifications.id, n!.id)))[0]!.r;
      return {
        agent: agentOf(w, who),
        url: `/notifications/${n!.id}/read`,
        fields: {},
        signedIn: true,
        async done(res) {
          expect(res.status).to.equal(303);
          expect(res.headers.location).to.equal('/account');
          expect(await readAt()).to.be.instanceOf(Date);
        },
      };
    },
  },
  'POST /admin/nodes': {
    who: ['admin'],
    async prepare(w) {
      const n = next();
      return { agent: w.agents.admin, url: '/admin/nodes', fields: nodeFields(n), signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(nodes, eq(nodes.code, `ST-NEW-${n}`))).to.equal(1)) };
    },
  },
  'POST /admin/nodes/:id': {
    who: ['admin'],
    async prepare(w) {
      const { nodeId, code } = await freshNode(w);
      const name = `改名后的服务站${next()}`;
      return { agent: w.agents.admin, url: `/admin/nodes/${nodeId}`, fields: { ...nodeFields(next(), name), code }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ name: nodes.name }).from(nodes).where(eq(nodes.id, nodeId)))[0]!.name).to.equal(name)) };
    },
  },
  'POST /admin/nodes/:id/active': {
    who: ['admin'],
    async prepare(w) {
      const { nodeId } = await freshNode(w);
      return { agent: w.agents.admin, url: `/admin/nodes/${nodeId}/active`, fields: { active: '0' }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ a: nodes.active }).from(nodes).where(eq(nodes.id, nodeId)))[0]!.a).to.equal(false)) };
    },
  },
  'POST /admin/nodes/:id/offerings': {
    who: ['admin'],
    async prepare(w) {
      const { nodeId } = await freshNode(w);
      const serviceId = await freshService(w);
      return {
        agent: w.agents.admin,
        url: `/admin/nodes/${nodeId}/offerings`,
        fields: { serviceId: String(serviceId), capacityAm: '0', capacityPm: '0', slotTimes: '09:00 10:00', slotCapacity: '1' },
        signedIn: true,
        done: async (res) => (redirected(res), expect(await w.t.db.$count(nodeServices, and(eq(nodeServices.nodeId, nodeId), eq(nodeServices.serviceId, serviceId)))).to.equal(1)),
      };
    },
  },
  'POST /admin/nodes/:id/offerings/:oid/capacity': {
    who: ['mgr1', 'admin'],
    async prepare(w, who) {
      const am = 30 + (next() % 50);
      const capacity = async () => (await w.t.db.select({ am: nodeServices.capacityAm }).from(nodeServices).where(eq(nodeServices.id, w.x.offeringId)))[0]!.am;
      return {
        agent: agentOf(w, who),
        url: `/admin/nodes/${w.x.nodeId}/offerings/${w.x.offeringId}/capacity`,
        fields: { capacityAm: String(am), capacityPm: '40', slotTimes: '', slotCapacity: '0' },
        signedIn: true,
        done: async (res) => (redirected(res), expect(await capacity()).to.equal(am)),
      };
    },
  },
  'POST /admin/nodes/:id/offerings/:oid/active': {
    who: ['admin'],
    async prepare(w) {
      const { nodeId, offeringId } = await freshNode(w);
      return { agent: w.agents.admin, url: `/admin/nodes/${nodeId}/offerings/${offeringId}/active`, fields: { active: '0' }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ a: nodeServices.active }).from(nodeServices).where(eq(nodeServices.id, offeringId)))[0]!.a).to.equal(false)) };
    },
  },
  'POST /admin/nodes/:id/closures': {
    who: ['mgr1', 'admin'],
    async prepare(w, who) {
      // a December day: closes nothing the fixtures booked (their windows are in September and October)
      const day = `2026-12-${String(1 + (next() % 28)).padStart(2, '0')}`;
      const reason = `设备年检${next()}`;
      return { agent: agentOf(w, who), url: `/admin/nodes/${w.x.nodeId}/closures`, fields: { startDate: day, endDate: day, reason }, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(closures, eq(closures.reason, reason))).to.equal(1)) };
    },
  },
  'POST /admin/nodes/:id/closures/:cid/delete': {
    who: ['mgr1', 'admin'],
    async prepare(w, who) {
      const [c] = await w.t.db.insert(closures).values({ nodeId: w.x.nodeId, startDate: '2026-12-30', endDate: '2026-12-30', reason: '待取消' }).returning({ id: closures.id });
      return { agent: agentOf(w, who), url: `/admin/nodes/${w.x.nodeId}/closures/${c!.id}/delete`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(closures, eq(closures.id, c!.id))).to.equal(0)) };
    },
  },
  'POST /admin/nodes/:id/signatories': {
    who: ['mgr1', 'admin'],
    async prepare(w, who) {
      const staff = await createUser(w.t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
      return { agent: agentOf(w, who), url: `/admin/nodes/${w.x.nodeId}/signatories`, fields: { userId: String(staff.id), categoryCode: '', validFrom: '2026-09-28', validUntil: '' }, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(signatories, eq(signatories.userId, staff.id))).to.equal(1)) };
    },
  },
  'POST /admin/nodes/:id/signatories/:sid/revoke': {
    who: ['mgr1', 'admin'],
    async prepare(w, who) {
      const staff = await createUser(w.t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
      const [g] = await w.t.db.insert(signatories).values({ nodeId: w.x.nodeId, userId: staff.id, validFrom: '2026-01-01' }).returning({ id: signatories.id });
      return { agent: agentOf(w, who), url: `/admin/nodes/${w.x.nodeId}/signatories/${g!.id}/revoke`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ r: signatories.revokedAt }).from(signatories).where(eq(signatories.id, g!.id)))[0]!.r).not.to.equal(null)) };
    },
  },
  'POST /admin/nodes/:id/standards': {
    who: ['mgr1', 'admin'],
    async prepare(w, who) {
      const name = `压力计量标准-${who}-${Date.now()}`;
      return {
        agent: agentOf(w, who),
        url: `/admin/nodes/${w.x.nodeId}/standards`,
        fields: { name, certificateNo: `［2024］浙量标舟证字第 050-${who} 号`, measuringRange: '(0.04～60) MPa', accuracy: '0.05 级', validUntil: '2029-12-31', categoryCodes: 'CAL-PG' },
        signedIn: true,
        done: async (res) => (redirected(res), expect(await w.t.db.$count(measurementStandards, eq(measurementStandards.name, name))).to.equal(1)),
      };
    },
  },
  'POST /admin/nodes/:id/standards/:sid/retire': {
    who: ['mgr1', 'admin'],
    async prepare(w, who) {
      const [st] = await w.t.db.insert(measurementStandards).values({ nodeId: w.x.nodeId, name: `待停用的计量标准-${who}`, certificateNo: `［2024］浙量标舟证字第 051-${who} 号`, measuringRange: '(0～60) MPa', accuracy: '0.05 级', validUntil: '2029-12-31', categoryCodes: ['CAL-PG'] }).returning({ id: measurementStandards.id });
      return { agent: agentOf(w, who), url: `/admin/nodes/${w.x.nodeId}/standards/${st!.id}/retire`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ r: measurementStandards.retiredAt }).from(measurementStandards).where(eq(measurementStandards.id, st!.id)))[0]!.r).not.to.equal(null)) };
    },
  },
  'POST /admin/services': {
    who: ['admin'],
    async prepare(w) {
      const code = `BZ-NEW-${next()}`;
      return { agent: w.agents.admin, url: '/admin/services', fields: serviceFields(code, '标准化测试咨询'), signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(services, eq(services.code, code))).to.equal(1)) };
    },
  },
  'POST /admin/services/:id': {
    who: ['admin'],
    async prepare(w) {
      const id = await freshService(w);
      const [row] = await w.t.db.select({ code: services.code }).from(services).where(eq(services.id, id));
      const name = `改名后的咨询服务${next()}`;
      return { agent: w.agents.admin, url: `/admin/services/${id}`, fields: serviceFields(row!.code, name), signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ n: services.name }).from(services).where(eq(services.id, id)))[0]!.n).to.equal(name)) };
    },
  },
  'POST /admin/services/:id/active': {
    who: ['admin'],
    async prepare(w) {
      const id = await freshService(w);
      return { agent: w.agents.admin, url: `/admin/services/${id}/active`, fields: { active: '0' }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ a: services.active }).from(services).where(eq(services.id, id)))[0]!.a).to.equal(false)) };
    },
  },
  'POST /admin/users': {
    who: ['mgr1', 'mgr2', 'admin'],
    async prepare(w, who) {
      const mobile = uniqueMobile();
      return {
        agent: agentOf(w, who),
        url: '/admin/users',
        fields: { role: 'lab_staff', name: '新检定员', mobile, email: '', nodeId: String(who === 'mgr2' ? w.y.nodeId : w.x.nodeId), parkId: '' },
        signedIn: true,
        async done(res) {
          expect(res.status).to.equal(200); // the page with the one-time password
          expect(await w.t.db.$count(users, eq(users.mobile, mobile))).to.equal(1);
        },
      };
    },
  },
  'POST /admin/users/:id/reset-password': {
    who: ['mgr1', 'admin'],
    async prepare(w, who) {
      const staff = await createUser(w.t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
      return {
        agent: agentOf(w, who),
        url: `/admin/users/${staff.id}/reset-password`,
        fields: {},
        signedIn: true,
        async done(res) {
          expect(res.status).to.equal(200);
          expect((await w.t.db.select({ m: users.mustChangePassword }).from(users).where(eq(users.id, staff.id)))[0]!.m).to.equal(true);
        },
      };
    },
  },
  'POST /admin/users/:id/active': {
    who: ['mgr1', 'admin'],
    async prepare(w, who) {
      const staff = await createUser(w.t.db, 'lab_staff', { nodeCode: 'ZS-METROLOGY' });
      return { agent: agentOf(w, who), url: `/admin/users/${staff.id}/active`, fields: { active: '0' }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ a: users.active }).from(users).where(eq(users.id, staff.id)))[0]!.a).to.equal(false)) };
    },
  },
  'POST /admin/enterprises/:id/review': {
    who: ['admin'],
    async prepare(w) {
      const [e] = await w.t.db.insert(enterprises).values({ name: `待复核${next()}有限公司`, creditCode: validCreditCode(), creditCodeReview: 'pending', parkId: null, address: '舟山市定海区' }).returning({ id: enterprises.id });
      return { agent: w.agents.admin, url: `/admin/enterprises/${e!.id}/review`, fields: { decision: 'approved', note: '' }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ r: enterprises.creditCodeReview }).from(enterprises).where(eq(enterprises.id, e!.id)))[0]!.r).to.equal('approved')) };
    },
  },
  'POST /admin/enterprises/:id/active': {
    who: ['admin'],
    async prepare(w) {
      const { enterprise } = await createCompanyUser(w.t.db);
      return { agent: w.agents.admin, url: `/admin/enterprises/${enterprise.id}/active`, fields: { active: '0' }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ a: enterprises.active }).from(enterprises).where(eq(enterprises.id, enterprise.id)))[0]!.a).to.equal(false)) };
    },
  },

  // ── the company workspace (entA is company A's admin) and its token pages ──
  'POST /company/invitations': {
    who: ['entA'],
    async prepare(w) {
      const mobile = uniqueMobile();
      return { agent: w.agents.entA, url: '/company/invitations', fields: { mobile, email: '' }, signedIn: true, done: async (res) => (expect(res.status).to.equal(201), expect(await w.t.db.$count(invitations, eq(invitations.mobile, mobile))).to.equal(1)) };
    },
  },
  'POST /company/invitations/:id/revoke': {
    who: ['entA'],
    async prepare(w) {
      await w.t.services.company.invite((await w.t.services.auth.loadPrincipal(w.users.entA.id))!, { mobile: uniqueMobile() });
      const [inv] = await w.t.db.select({ id: invitations.id }).from(invitations).where(eq(invitations.enterpriseId, w.companyA.id)).orderBy(desc(invitations.id)).limit(1);
      return { agent: w.agents.entA, url: `/company/invitations/${inv!.id}/revoke`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select().from(invitations).where(eq(invitations.id, inv!.id)))[0]!.revokedAt).to.not.equal(null)) };
    },
  },
  'POST /company/users/:id/active': {
    who: ['entA'],
    async prepare(w) {
      const colleague = await createUser(w.t.db, 'enterprise', { enterpriseId: w.companyA.id });
      return { agent: w.agents.entA, url: `/company/users/${colleague.id}/active`, fields: { active: '0' }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ a: users.active }).from(users).where(eq(users.id, colleague.id)))[0]!.a).to.equal(false)) };
    },
  },
  'POST /company/users/:id/admin': {
    who: ['entA'],
    async prepare(w) {
      const colleague = await createUser(w.t.db, 'enterprise', { enterpriseId: w.companyA.id });
      return { agent: w.agents.entA, url: `/company/users/${colleague.id}/admin`, fields: { admin: '1' }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ a: users.companyAdmin }).from(users).where(eq(users.id, colleague.id)))[0]!.a).to.equal(true)) };
    },
  },
  'POST /company/users/:id/reset-password': {
    who: ['entA'],
    async prepare(w) {
      const colleague = await createUser(w.t.db, 'enterprise', { enterpriseId: w.companyA.id });
      return { agent: w.agents.entA, url: `/company/users/${colleague.id}/reset-password`, fields: {}, signedIn: true, done: async (res) => (expect(res.status).to.equal(200), expect((await w.t.db.select({ m: users.mustChangePassword }).from(users).where(eq(users.id, colleague.id)))[0]!.m).to.equal(true)) };
    },
  },
  'POST /company/join-requests/:id/approve': {
    who: ['entA'],
    async prepare(w) {
      const mobile = uniqueMobile();
      const [r] = await w.t.db.insert(joinRequests).values({ enterpriseId: w.companyA.id, name: '加入申请人', mobile, passwordHash: 'x' }).returning({ id: joinRequests.id });
      return { agent: w.agents.entA, url: `/company/join-requests/${r!.id}/approve`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(users, and(eq(users.mobile, mobile), eq(users.enterpriseId, w.companyA.id)))).to.equal(1)) };
    },
  },
  'POST /company/join-requests/:id/refuse': {
    who: ['entA'],
    async prepare(w) {
      const [r] = await w.t.db.insert(joinRequests).values({ enterpriseId: w.companyA.id, name: '加入申请人', mobile: uniqueMobile(), passwordHash: 'x' }).returning({ id: joinRequests.id });
      return { agent: w.agents.entA, url: `/company/join-requests/${r!.id}/refuse`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select().from(joinRequests).where(eq(joinRequests.id, r!.id)))[0]!.status).to.equal('refused')) };
    },
  },
  'POST /invite/:token': {
    who: ['anon'],
    async prepare(w) {
      const { link, mobile } = await w.t.services.company.invite((await w.t.services.auth.loadPrincipal(w.users.entA.id))!, { mobile: uniqueMobile() });
      const token = link.split('/invite/')[1]!;
      return { agent: agentFor(w.t.app), url: `/invite/${token}`, fields: { name: '受邀同事', password: 'Invited-2026-ok', passwordConfirm: 'Invited-2026-ok' }, signedIn: false, done: async (res) => (redirected(res), expect(await w.t.db.$count(users, and(eq(users.mobile, mobile), eq(users.enterpriseId, w.companyA.id)))).to.equal(1)) };
    },
  },
  'POST /password/forgot': {
    who: ['anon'],
    async prepare(w) {
      // without SMTP_URL the answer names who resets a password instead (nothing is sent, nothing stored)
      return { agent: agentFor(w.t.app), url: '/password/forgot', fields: { email: 'someone@example.com' }, signedIn: false, done: async (res) => expect(res.status).to.equal(200) };
    },
  },
  'POST /password/reset/:token': {
    who: ['anon'],
    async prepare(w) {
      const { user } = await createCompanyUser(w.t.db);
      const token = `reset${String(next()).padStart(27, '0')}`;
      await w.t.db.insert(accountTokens).values({ purpose: 'reset', tokenHash: hashToken(token), userId: user.id, expiresAt: new Date('2030-01-01T00:00:00Z') });
      return { agent: agentFor(w.t.app), url: `/password/reset/${token}`, fields: { password: 'Reset-pass-2026', passwordConfirm: 'Reset-pass-2026' }, signedIn: false, done: async (res) => (redirected(res), await login(agentFor(w.t.app), user.mobile, 'Reset-pass-2026')) };
    },
  },

  // ── the walk-in window (staff1 at N1 holds the duty; mgr1 grants it) ──
  'POST /window/companies': {
    who: ['staff1', 'staff2'],
    async prepare(w, who) {
      const creditCode = validCreditCode();
      return { agent: agentOf(w, who), url: '/window/companies', fields: { companyName: `窗口登记${next()}有限公司`, creditCode, parkId: '', address: '舟山市普陀区测试路 2 号' }, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(enterprises, eq(enterprises.creditCode, creditCode))).to.equal(1)) };
    },
  },
  'POST /window/companies/:id/cases': {
    who: ['staff1', 'staff2'],
    async prepare(w, who) {
      const { enterprise } = await createCompanyUser(w.t.db);
      return { agent: agentOf(w, who), url: `/window/companies/${enterprise.id}/cases`, fields: { visitorName: '来办人', visitorMobile: '13900006666', visitorIdLast4: '4321' }, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(windowCases, eq(windowCases.enterpriseId, enterprise.id))).to.equal(1)) };
    },
  },
  'POST /window/cases/:id/bookings': {
    who: ['staff1'],
    upload: true,
    async prepare(w) {
      const { enterprise } = await createCompanyUser(w.t.db);
      const caseId = await w.t.services.window.openCase((await w.t.services.auth.loadPrincipal(w.users.staff1.id))!, { enterpriseId: String(enterprise.id), visitorName: '来办人', visitorMobile: '13900006666', visitorIdLast4: '4321' });
      const res = await w.agents.staff1.get(`/window/cases/${caseId}/book?service=CAL-PG&node=${w.x.nodeId}`);
      const page = { status: res.status, text: res.text, csrf: /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? '', key: /name="idempotencyKey" value="([^"]+)"/.exec(res.text)?.[1] ?? '', slots: [] };
      const serial = `WIN-${next()}`;
      return {
        agent: w.agents.staff1,
        url: `/window/cases/${caseId}/bookings`,
        fields: calibrationFields(page, w.x.nodeId, { slot: nextSlot(), 'items[0][serialNo]': serial, 'items[1][serialNo]': `${serial}-B` }) as Record<string, string>,
        files: [{ field: 'file_other', buffer: PDF, name: '纸质材料扫描件.pdf' }],
        signedIn: true,
        async done(res) {
          redirected(res);
          const made = await w.t.db.select().from(bookings).where(eq(bookings.enterpriseId, enterprise.id));
          expect(made.map((b) => [b.channel, b.windowCaseId, b.createdBy])).to.deep.equal([['window', caseId, w.users.staff1.id]]);
        },
      };
    },
  },
  'POST /window/cases/:id/receipt': {
    who: ['staff1'],
    async prepare(w) {
      const enterpriseId = await w.t.services.window.registerCompany((await w.t.services.auth.loadPrincipal(w.users.staff1.id))!, { companyName: `无账号${next()}有限公司`, creditCode: validCreditCode(), parkId: '', address: '舟山市普陀区测试路 3 号' });
      const caseId = await w.t.services.window.openCase((await w.t.services.auth.loadPrincipal(w.users.staff1.id))!, { enterpriseId: String(enterpriseId), visitorName: '来办人', visitorMobile: '13900006666', visitorIdLast4: '4321' });
      return { agent: w.agents.staff1, url: `/window/cases/${caseId}/receipt`, fields: {}, signedIn: true, done: async (res) => (expect(res.status).to.equal(200), expect(await w.t.db.$count(accountTokens, and(eq(accountTokens.enterpriseId, enterpriseId), eq(accountTokens.purpose, 'claim')))).to.equal(1)) };
    },
  },
  'POST /window/cases/:id/close': {
    who: ['staff1'],
    async prepare(w) {
      const caseId = await w.t.services.window.openCase((await w.t.services.auth.loadPrincipal(w.users.staff1.id))!, { enterpriseId: String(w.companyB.id), visitorName: '来办人', visitorMobile: '13900006666', visitorIdLast4: '4321' });
      return { agent: w.agents.staff1, url: `/window/cases/${caseId}/close`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select().from(windowCases).where(eq(windowCases.id, caseId)))[0]!.closedAt).to.not.equal(null)) };
    },
  },
  'POST /window/queue/tickets': {
    who: ['staff1', 'staff2'],
    async prepare(w, who) {
      const nodeId = who === 'staff2' ? w.y.nodeId : w.x.nodeId;
      const before = await w.t.db.$count(queueTickets, eq(queueTickets.nodeId, nodeId));
      return { agent: agentOf(w, who), url: '/window/queue/tickets', fields: { categoryCode: 'testing' }, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(queueTickets, eq(queueTickets.nodeId, nodeId))).to.equal(before + 1)) };
    },
  },
  'POST /window/queue/tickets/:id/:move': {
    who: ['staff1'],
    async prepare(w) {
      const { id } = await w.t.services.window.issueTicket((await w.t.services.auth.loadPrincipal(w.users.staff1.id))!, { categoryCode: 'metrology' });
      return { agent: w.agents.staff1, url: `/window/queue/tickets/${id}/call`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select().from(queueTickets).where(eq(queueTickets.id, id)))[0]!.status).to.equal('called')) };
    },
  },
  'POST /window/staff/:id/duty': {
    who: ['mgr1'],
    async prepare(w) {
      const tech = await createUser(w.t.db, 'lab_staff', { nodeCode: 'ST-DINGHAI' });
      await w.t.db.update(users).set({ nodeId: w.x.nodeId }).where(eq(users.id, tech.id));
      return { agent: w.agents.mgr1, url: `/window/staff/${tech.id}/duty`, fields: { active: '1' }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ d: users.windowDuty }).from(users).where(eq(users.id, tech.id)))[0]!.d).to.equal(true)) };
    },
  },
  'POST /chains': {
    who: ['entA', 'entB'],
    async prepare(w, who) {
      const user = who === 'entB' ? w.users.entB : w.users.entA;
      const fields = await exportCertForm(w.t, user.id, { avoidNodes: [who === 'entB' ? w.x.nodeId : w.y.nodeId] });
      return { agent: agentOf(w, who), url: '/chains', fields, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(chainRequests, eq(chainRequests.idempotencyKey, fields.idempotencyKey!))).to.equal(1)) };
    },
  },
  'POST /chains/:number/rating': {
    who: ['entA'],
    async prepare(w) {
      const number = await fileExportCert(w.t, w.users.entA.id, { avoidNodes: [w.y.nodeId] });
      await finishChain(w.t, number);
      return { agent: w.agents.entA, url: `/chains/${number}/rating`, fields: { level: '5', comment: '一次办齐' }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ l: chainRequests.ratingLevel }).from(chainRequests).where(eq(chainRequests.number, number)))[0]!.l).to.equal(5)) };
    },
  },
  'POST /admin/bundles': {
    who: ['admin'],
    async prepare(w) {
      const code = `NEW-B${next()}`;
      return { agent: w.agents.admin, url: '/admin/bundles', fields: { code, name: '测试一件事套餐', summary: '', s1_title: '检定', s1_service: 'CAL-PG', s1_after: '', s2_title: '对标', s2_service: 'BZ-BENCH', s2_after: '1' }, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(bundles, eq(bundles.code, code))).to.equal(1)) };
    },
  },
  'POST /admin/bundles/:code': {
    who: ['admin'],
    async prepare(w) {
      const code = `REV-B${next()}`;
      const admin = (await w.t.services.auth.loadPrincipal(w.users.admin.id))!;
      await w.t.services.chains.saveBundle(admin, null, { code, name: '待修订的套餐', s1_title: '检定', s1_service: 'CAL-PG', s2_title: '对标', s2_service: 'BZ-BENCH' });
      return { agent: w.agents.admin, url: `/admin/bundles/${code}`, fields: { name: '修订后的套餐', summary: '', s1_title: '检定', s1_service: 'CAL-PG', s1_after: '', s2_title: '对标', s2_service: 'BZ-BENCH', s2_after: '1' }, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(bundles, eq(bundles.code, code))).to.equal(2)) };
    },
  },
  'POST /admin/bundles/:code/active': {
    who: ['admin'],
    async prepare(w) {
      const code = `OFF-B${next()}`;
      const admin = (await w.t.services.auth.loadPrincipal(w.users.admin.id))!;
      await w.t.services.chains.saveBundle(admin, null, { code, name: '待停办的套餐', s1_title: '检定', s1_service: 'CAL-PG', s2_title: '对标', s2_service: 'BZ-BENCH' });
      return { agent: w.agents.admin, url: `/admin/bundles/${code}/active`, fields: { active: '0' }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ a: bundles.active }).from(bundles).where(eq(bundles.code, code)))[0]!.a).to.equal(false)) };
    },
  },
  'POST /coordinator/chains/steps/:id/reroute': {
    who: ['admin'],
    async prepare(w) {
      await w.t.db.update(users).set({ coordinatorSince: new Date() }).where(eq(users.id, w.users.admin.id));
      const number = await fileExportCert(w.t, w.users.entA.id, { avoidNodes: [w.y.nodeId] });
      const step = (await stepsOfChain(w.t, number))[2]!; // 待前序完成: re-routed without a booking
      const [other] = await w.t.db.select({ nodeId: nodeServices.nodeId }).from(nodeServices).where(and(eq(nodeServices.serviceId, step.serviceId), eq(nodeServices.active, true)));
      const target = other!.nodeId === step.nodeId ? (await w.t.db.select({ nodeId: nodeServices.nodeId }).from(nodeServices).where(eq(nodeServices.serviceId, step.serviceId))).find((r) => r.nodeId !== step.nodeId)!.nodeId : other!.nodeId;
      return { agent: w.agents.admin, url: `/coordinator/chains/steps/${step.id}/reroute`, fields: { node: String(target), slot: '', reason: '原网点排期已满' }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ n: chainSteps.nodeId }).from(chainSteps).where(eq(chainSteps.id, step.id)))[0]!.n).to.equal(target)) };
    },
  },
  'POST /admin/coordinators/:id': {
    who: ['admin'],
    async prepare(w) {
      const staff = await createUser(w.t.db, 'lab_staff', { nodeCode: 'ZS-CENTRE' });
      return { agent: w.agents.admin, url: `/admin/coordinators/${staff.id}`, fields: { active: '1' }, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select({ s: users.coordinatorSince }).from(users).where(eq(users.id, staff.id)))[0]!.s).not.to.equal(null)) };
    },
  },
  'POST /needs': {
    who: ['entA', 'entB', 'park1', 'park2'],
    upload: true,
    async prepare(w, who) {
      const title = `新需求${next()}号`;
      return {
        agent: agentOf(w, who),
        url: '/needs',
        fields: { type: '标准制修订', title, description: '企业标准需要按新版国家标准修订。', preferredWay: 'meeting' },
        files: [{ field: 'file_need_file', buffer: PDF, name: '现行企业标准.pdf' }],
        signedIn: true,
        // the file goes with the multipart body only (test/http/needs-gaps.test.ts checks the documents)
        done: async (res) => (redirected(res), expect(await w.t.db.$count(needs, eq(needs.title, title))).to.equal(1)),
      };
    },
  },
  'POST /needs/:number/messages': {
    who: ['entA', 'admin'],
    upload: true,
    async prepare(w, who) {
      const number = await freshNeed(w);
      const body = `留言${next()}`;
      return {
        agent: agentOf(w, who),
        url: `/needs/${number}/messages`,
        fields: { body },
        files: [{ field: 'file_need_file', buffer: PDF, name: '补充材料.pdf' }],
        signedIn: true,
        done: async (res) => (redirected(res), expect(await w.t.db.$count(needMessages, eq(needMessages.body, body))).to.equal(1)),
      };
    },
  },
  'POST /needs/:number/proposal': {
    who: ['admin', 'fresh'],
    async prepare(w, who) {
      await w.t.db.update(users).set({ coordinatorSince: new Date() }).where(eq(users.id, w.users.admin.id));
      const number = await freshNeed(w);
      const expert = await freshExpert(w);
      await w.t.db.update(needs).set({ status: 'assigned', expertId: expert.expertId }).where(eq(needs.number, number));
      return { agent: who === 'fresh' ? expert.agent : w.agents.admin, url: `/needs/${number}/proposal`, fields: { services: ['BZ-BENCH', 'CAL-PG'] }, signedIn: true, done: async (res) => (redirected(res), expect((await needOf(w, number)).proposedServices).to.deep.equal(['BZ-BENCH', 'CAL-PG'])) };
    },
  },
  'POST /needs/:number/bookings': {
    who: ['entA'],
    async prepare(w) {
      const number = await freshNeed(w);
      await w.t.db.update(needs).set({ status: 'resolved', proposedServices: ['BZ-BENCH'] }).where(eq(needs.number, number));
      const plan = await w.t.services.needs.bookingPlan((await w.t.services.auth.loadPrincipal(w.users.entA.id))!, number);
      const node = plan.steps[0]!.nodes.find((n) => n.windows.length > 0)!;
      const fields = { idempotencyKey: `need-book-${next()}-${Date.now()}`, contactName: '张伟', contactMobile: '13900000101', description: '按专家建议对标比对企业标准。', s1_node: String(node.id), s1_slot: node.windows[next() % node.windows.length]!.value };
      return { agent: w.agents.entA, url: `/needs/${number}/bookings`, fields, signedIn: true, done: async (res) => (redirected(res), expect(await w.t.db.$count(needBookings, eq(needBookings.needId, (await needOf(w, number)).id))).to.equal(1)) };
    },
  },
  'POST /experts/:id/profile': {
    who: ['admin', 'fresh'],
    async prepare(w, who) {
      await w.t.db.update(users).set({ coordinatorSince: new Date() }).where(eq(users.id, w.users.admin.id));
      const expert = await freshExpert(w);
      const fields = { fields: ['技术难题', '认证咨询'], tags: '焊缝、压力', qualifications: '注册计量师', state: 'paused', pausedUntil: '2026-10-30', maxLoad: '2' };
      return { agent: who === 'fresh' ? expert.agent : w.agents.admin, url: `/experts/${expert.expertId}/profile`, fields, signedIn: true, done: async (res) => (redirected(res), expect((await w.t.db.select().from(experts).where(eq(experts.id, expert.expertId)))[0]).to.deep.include({ available: false, pausedUntil: '2026-10-30', maxLoad: 2 })) };
    },
  },
  'POST /needs/:number/assign': {
    who: ['admin'],
    async prepare(w) {
      await w.t.db.update(users).set({ coordinatorSince: new Date() }).where(eq(users.id, w.users.admin.id));
      const number = await freshNeed(w);
      const expert = await freshExpert(w);
      return { agent: w.agents.admin, url: `/needs/${number}/assign`, fields: { expert: String(expert.expertId) }, signedIn: true, done: async (res) => (redirected(res), expect((await needOf(w, number)).expertId).to.equal(expert.expertId)) };
    },
  },
  'POST /needs/:number/accept': {
    who: ['fresh'],
    async prepare(w) {
      const number = await freshNeed(w);
      const expert = await freshExpert(w);
      return { agent: expert.agent, url: `/needs/${number}/accept`, fields: {}, signedIn: true, done: async (res) => (redirected(res), expect((await needOf(w, number)).expertId).to.equal(expert.expertId)) };
    },
  },
  'POST /needs/:number/resolve': {
    who: ['fresh'],
    async prepare(w) {
      const number = await freshNeed(w);
      const expert = await freshExpert(w);
      await w.t.db.update(needs).set({ status: 'assigned', expertId: expert.expertId }).where(eq(needs.number, number));
      return { agent: expert.agent, url: `/needs/${number}/resolve`, fields: { resolution: '建议按 JJF 1033 建立计量标准。', proposedBundle: '' }, signedIn: true, done: async (res) => (redirected(res), expect((await needOf(w, number)).status).to.equal('resolved')) };
    },
  },
  'POST /needs/:number/rating': {
    who: ['entA'],
    async prepare(w) {
      const number = await freshNeed(w);
      await w.t.db.update(needs).set({ status: 'resolved', resolution: '答复结论' }).where(eq(needs.number, number));
      return { agent: w.agents.entA, url: `/needs/${number}/rating`, fields: { level: '4', comment: '' }, signedIn: true, done: async (res) => (redirected(res), expect((await needOf(w, number)).ratingLevel).to.equal(4)) };
    },
  },
  'POST /needs/:number/close': {
    who: ['admin'],
    async prepare(w) {
      await w.t.db.update(users).set({ coordinatorSince: new Date() }).where(eq(users.id, w.users.admin.id));
      const number = await freshNeed(w);
      return { agent: w.agents.admin, url: `/needs/${number}/close`, fields: { reason: '企业已撤回' }, signedIn: true, done: async (res) => (redirected(res), expect((await needOf(w, number)).status).to.equal('closed')) };
    },
  },
};

/** A quality need of entA, fresh for one request. */
async function freshNeed(w: World): Promise<string> {
  const user = (await w.t.services.auth.loadPrincipal(w.users.entA.id))!;
  return w.t.services.needs.submit(user, { type: '技术难题', title: `测试需求${next()}`, description: '测试用的技术难题描述文字。', preferredWay: 'online' });
}

const needOf = async (w: World, number: string) => (await w.t.db.select().from(needs).where(eq(needs.number, number)))[0]!;

/** An expert of the pool with their own login. */
async function freshExpert(w: World) {
  const user = await createUser(w.t.db, 'expert', {}, { name: `专家${next()}` });
  const [row] = await w.t.db.insert(experts).values({ userId: user.id, organisation: '测试单位', fields: ['技术难题'] }).returning({ id: experts.id });
  const agent = agentFor(w.t.app);
  await login(agent, user.mobile, TEST_PASSWORD);
  return { agent, expertId: row!.id };
}

/** Every state-changing route's in-scope request: the first suite's and those of the features added since (actions-more.ts). */
export const IN_SCOPE: Record<string, InScopeSpec> = { ...IN_SCOPE_FIRST, ...IN_SCOPE_MORE };

/** Route keys ("POST /path") of every state-changing route in a route table. */
/** State-changing web routes. The open API (/api/…) reads no cookie — bearer keys only, so CSRF cannot reach it (test/http/api.test.ts). */
export const stateChanging = (routes: { method: string; path: string }[]) => routes.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && !r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`);

