import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { services } from '../../src/db/schema.js';
import type { Agent } from '../support/app.js';
import { filesUnder, postMultipart } from '../support/bookings.js';
import { buildWorld, digestOfX, PRINCIPALS, SECRET_PDF, stateDigest, tokenOf, type PrincipalKey, type World } from './fixture.js';
import { routeTable } from './routes.js';

type P = PrincipalKey;
const SIGNED_IN: P[] = PRINCIPALS.filter((p) => p !== 'anon');

interface Policy {
  /** The URL to request, built from the fixture (record ids of entA's booking X at node N1). */
  url: (w: World) => string;
  /** In scope: a GET must answer (2xx/3xx/409), never 403/404. A POST is not sent — it would change the fixture. */
  sees: P[];
  /** May use the route for their own scope, but must not see X's data (their own lists, dashboards, bulk actions). */
  reach?: P[];
  /** What must not show outside `sees`: X's data, also X's number (when it is not in the URL), or N1's staff. */
  secrets?: 'booking' | 'booking+number' | 'staff' | 'equipment' | 'equipment+number' | 'none';
  body?: (w: World) => Record<string, string | string[]>;
  /** Sent as multipart with a file: a refused upload must leave no file behind. */
  multipart?: boolean;
}

const PUBLIC = 'public' as const;
const X = (w: World) => w.x.number;
const inScopeOfX: P[] = ['entA', 'staff1', 'mgr1', 'park1', 'admin'];
const enterprises: P[] = ['entA', 'entB'];
let serviceId = 0;

/** Every route of the app with who may use it. The test below fails when a route is added without a line here. */
const POLICIES: Record<string, Policy | typeof PUBLIC> = {
  'GET /favicon.ico': PUBLIC,
  'GET /healthz': PUBLIC,
  'GET /': PUBLIC,
  'GET /services': PUBLIC,
  'GET /services/:code': PUBLIC,
  'GET /services/:code/templates/:file': PUBLIC,
  'GET /nodes': PUBLIC,
  'GET /nodes/:id': PUBLIC,
  'GET /login': PUBLIC,
  'POST /login': PUBLIC,
  'POST /logout': PUBLIC,
  'GET /register': PUBLIC,
  'POST /register': PUBLIC,
  'GET /verify': PUBLIC,
  'GET /fees': PUBLIC,
  'GET /track': PUBLIC,
  'GET /display': PUBLIC,

  'GET /account': { url: () => '/account', sees: ['entA'], reach: SIGNED_IN.filter((p) => p !== 'entA') },
  'GET /account/password': { url: () => '/account/password', sees: SIGNED_IN, secrets: 'none' },
  'POST /account/password': { url: () => '/account/password', sees: SIGNED_IN, body: () => ({ currentPassword: 'x', newPassword: 'Abcdefgh-2026', confirmPassword: 'Abcdefgh-2026' }) },
  'GET /enterprises/:id': { url: (w) => `/enterprises/${w.companyA.id}`, sees: ['entA', 'park1', 'admin'] },

  'GET /bookings/new': { url: (w) => `/bookings/new?service=CAL-PG&node=${w.x.nodeId}`, sees: enterprises, secrets: 'none' },
  'POST /bookings': { url: () => '/bookings', sees: enterprises, multipart: true, body: (w) => ({ service: 'CAL-PG', node: String(w.x.nodeId) }) },
  'GET /bookings': { url: () => '/bookings', sees: ['entA'], reach: ['entB'], secrets: 'booking+number' },
  'GET /bookings/:no': { url: (w) => `/bookings/${X(w)}`, sees: inScopeOfX },
  'GET /bookings/:no/receipt': { url: (w) => `/bookings/${X(w)}/receipt`, sees: inScopeOfX },
  'GET /bookings/:no/attachments/:id': { url: (w) => `/bookings/${X(w)}/attachments/${w.x.attachmentId}`, sees: inScopeOfX },
  'POST /bookings/:no/cancel': { url: (w) => `/bookings/${X(w)}/cancel`, sees: ['entA'], body: () => ({ reason: '越权取消' }) },
  'POST /bookings/:no/invoice': { url: (w) => `/bookings/${X(w)}/invoice`, sees: ['entA'] },
  'POST /bookings/:no/complete': { url: (w) => `/bookings/${X(w)}/complete`, sees: ['entA'] },
  'POST /bookings/:no/evaluate': { url: (w) => `/bookings/${X(w)}/evaluate`, sees: ['entA'], body: () => ({ level: '1', comment: '越权评价' }) },
  'GET /bookings/:no/reschedule': { url: (w) => `/bookings/${X(w)}/reschedule`, sees: ['entA'] },
  'POST /bookings/:no/reschedule': { url: (w) => `/bookings/${X(w)}/reschedule`, sees: ['entA'], body: () => ({ slot: '2026-10-09|am' }) },
  'POST /bookings/:no/resubmit': { url: (w) => `/bookings/${X(w)}/resubmit`, sees: ['entA'], multipart: true, body: () => ({ note: '越权补正' }) },

  'GET /lab': { url: () => '/lab?tab=done', sees: ['staff1', 'mgr1'], reach: ['staff2', 'mgr2'], secrets: 'booking+number' },
  'GET /lab/bookings/:no': { url: (w) => `/lab/bookings/${X(w)}`, sees: ['staff1', 'mgr1'] },
  'POST /lab/bulk-accept': { url: () => '/lab/bulk-accept', sees: ['staff1', 'mgr1'], reach: ['staff2', 'mgr2'], body: (w) => ({ numbers: [X(w)] }) },
  'POST /lab/bookings/:no/:action': { url: (w) => `/lab/bookings/${X(w)}/revoke_report`, sees: ['staff1', 'mgr1'], multipart: true, body: () => ({ reason: '越权作废' }) },
  'GET /bookings/:no/reports/:version': { url: (w) => `/bookings/${X(w)}/reports/1`, sees: inScopeOfX },
  'GET /bookings/:no/reports/:version/pdf': { url: (w) => `/bookings/${X(w)}/reports/1/pdf`, sees: inScopeOfX },

  // N1's staff are told about X too (new booking, resubmission): they are in scope of its notifications.
  'GET /notifications': { url: () => '/notifications', sees: ['entA', 'staff1', 'mgr1'], reach: SIGNED_IN.filter((p) => !['entA', 'staff1', 'mgr1'].includes(p)), secrets: 'booking+number' },
  'GET /notifications/:id': { url: (w) => `/notifications/${w.x.notificationId}`, sees: ['entA'], secrets: 'booking+number' },
  'POST /notifications/read-all': { url: () => '/notifications/read-all', sees: ['entA'], reach: SIGNED_IN.filter((p) => p !== 'entA') },

  'GET /admin': { url: () => '/admin?period=year', sees: ['park1', 'admin'], reach: ['mgr1', 'mgr2', 'park2'] },
  // The company table is a park's export; other scopes answer 404 for it or list their own.
  'GET /admin/export/:file': { url: () => '/admin/export/enterprises.csv?period=year', sees: ['park1'], reach: ['mgr1', 'mgr2', 'park2', 'admin'] },
  'GET /admin/nodes': { url: () => '/admin/nodes', sees: ['admin'], secrets: 'none' },
  'GET /admin/nodes/new': { url: () => '/admin/nodes/new', sees: ['admin'], secrets: 'none' },
  'POST /admin/nodes': { url: () => '/admin/nodes', sees: ['admin'], body: () => ({ code: 'ST-EVIL', name: '越权网点' }) },
  'GET /admin/nodes/:id': { url: (w) => `/admin/nodes/${w.x.nodeId}`, sees: ['mgr1', 'admin'], secrets: 'none' },
  'GET /admin/nodes/:id/edit': { url: (w) => `/admin/nodes/${w.x.nodeId}/edit`, sees: ['admin'], secrets: 'none' },
  'POST /admin/nodes/:id': { url: (w) => `/admin/nodes/${w.x.nodeId}`, sees: ['admin'], body: () => ({ name: '越权改名' }) },
  'POST /admin/nodes/:id/active': { url: (w) => `/admin/nodes/${w.x.nodeId}/active`, sees: ['admin'], body: () => ({ active: 'false' }) },
  'POST /admin/nodes/:id/offerings': { url: (w) => `/admin/nodes/${w.x.nodeId}/offerings`, sees: ['admin'], body: () => ({ serviceId: String(serviceId), capacityAm: '1', capacityPm: '1' }) },
  'POST /admin/nodes/:id/offerings/:oid/capacity': {
    url: (w) => `/admin/nodes/${w.x.nodeId}/offerings/${w.x.offeringId}/capacity`,
    sees: ['mgr1', 'admin'],
    body: () => ({ capacityAm: '0', capacityPm: '0', slotTimes: '', slotCapacity: '0' }),
  },
  'POST /admin/nodes/:id/offerings/:oid/active': { url: (w) => `/admin/nodes/${w.x.nodeId}/offerings/${w.x.offeringId}/active`, sees: ['admin'], body: () => ({ active: 'false' }) },
  'POST /admin/nodes/:id/closures': { url: (w) => `/admin/nodes/${w.x.nodeId}/closures`, sees: ['mgr1', 'admin'], body: () => ({ startDate: '2026-10-12', endDate: '2026-10-13', reason: '越权停业' }) },
  'GET /admin/fees': { url: () => '/admin/fees', sees: ['admin'], secrets: 'none' },
  'POST /admin/fees': { url: () => '/admin/fees', sees: ['admin'], body: () => ({ targetKind: 'service', targetCode: 'CAL-PG', unit: '每只', priceType: 'estimate', amount: '1', basis: '越权改价', effectiveFrom: '2026-12-31' }) },
  'GET /enterprises/:id/invoice-info': { url: (w) => `/enterprises/${w.companyA.id}/invoice-info`, sees: ['entA', 'park1', 'admin'] },
  'POST /enterprises/:id/invoice-info': { url: (w) => `/enterprises/${w.companyA.id}/invoice-info`, sees: ['entA'], body: () => ({ invoiceTitle: '越权抬头有限公司', invoiceTaxNo: '91330902MA2A0B1C4X' }) },
  'GET /admin/oil-limits': { url: () => '/admin/oil-limits', sees: ['admin'], secrets: 'none' },
  'POST /admin/oil-limits/:id/verify': { url: () => '/admin/oil-limits/1/verify', sees: ['admin'], body: () => ({ note: '越权核实限值' }) },
  'GET /admin/nodes/:id/signatories': { url: (w) => `/admin/nodes/${w.x.nodeId}/signatories`, sees: ['mgr1', 'admin'], secrets: 'staff' },
  'POST /admin/nodes/:id/signatories': { url: (w) => `/admin/nodes/${w.x.nodeId}/signatories`, sees: ['mgr1', 'admin'], body: (w) => ({ userId: String(w.users.staff1.id), validFrom: '2026-09-28' }) },
  'POST /admin/nodes/:id/signatories/:sid/revoke': { url: (w) => `/admin/nodes/${w.x.nodeId}/signatories/1/revoke`, sees: ['mgr1', 'admin'] },
  'POST /admin/nodes/:id/closures/:cid/delete': { url: (w) => `/admin/nodes/${w.x.nodeId}/closures/${w.x.closureId}/delete`, sees: ['mgr1', 'admin'] },
  'GET /admin/services': { url: () => '/admin/services', sees: ['admin'], secrets: 'none' },
  'GET /admin/services/new': { url: () => '/admin/services/new', sees: ['admin'], secrets: 'none' },
  'GET /admin/services/:id/edit': { url: () => `/admin/services/${serviceId}/edit`, sees: ['admin'], secrets: 'none' },
  'POST /admin/services': { url: () => '/admin/services', sees: ['admin'], body: () => ({ code: 'EVIL-1', name: '越权服务' }) },
  'POST /admin/services/:id': { url: () => `/admin/services/${serviceId}`, sees: ['admin'], body: () => ({ name: '越权改名' }) },
  'POST /admin/services/:id/active': { url: () => `/admin/services/${serviceId}/active`, sees: ['admin'], body: () => ({ active: 'false' }) },
  'GET /admin/users': { url: () => '/admin/users', sees: ['mgr1', 'admin'], reach: ['mgr2'], secrets: 'staff' },
  'GET /admin/users/new': { url: () => '/admin/users/new', sees: ['mgr1', 'mgr2', 'admin'], secrets: 'none' },
  'POST /admin/users': { url: () => '/admin/users', sees: ['mgr1', 'mgr2', 'admin'], body: () => ({ role: 'platform_admin', name: '越权管理员', mobile: '13711112222' }) },
  'POST /admin/users/:id/reset-password': { url: (w) => `/admin/users/${w.users.staff1.id}/reset-password`, sees: ['mgr1', 'admin'], secrets: 'staff' },
  'POST /admin/users/:id/active': { url: (w) => `/admin/users/${w.users.staff1.id}/active`, sees: ['mgr1', 'admin'], body: () => ({ active: 'false' }), secrets: 'staff' },
  'GET /admin/enterprises': { url: () => '/admin/enterprises', sees: ['admin'] },
  'POST /admin/enterprises/:id/review': { url: (w) => `/admin/enterprises/${w.companyA.id}/review`, sees: ['admin'], body: () => ({ decision: 'approve' }) },
  'POST /admin/enterprises/:id/active': { url: (w) => `/admin/enterprises/${w.companyA.id}/active`, sees: ['admin'], body: () => ({ active: 'false' }) },
  'GET /admin/audit': { url: () => '/admin/audit', sees: ['admin'] },

  // The instrument ledger (entA's entry came from X's certificate) and what is built on it.
  'GET /instruments': { url: () => '/instruments', sees: ['entA'], reach: ['entB'] },
  'GET /instruments/export/:file': { url: () => '/instruments/export/instruments.csv', sees: ['entA'], reach: ['entB'] },
  'GET /instruments/new': { url: () => '/instruments/new', sees: enterprises, secrets: 'none' },
  'POST /instruments': { url: () => '/instruments', sees: enterprises, body: () => ({ name: '越权登记', categoryCode: 'CAL-PG', serialNo: 'EVIL-1', compulsory: 'no', status: 'in_use' }) },
  'GET /instruments/:id': { url: (w) => `/instruments/${w.ledger.instrumentId}`, sees: ['entA'] },
  'GET /instruments/:id/edit': { url: (w) => `/instruments/${w.ledger.instrumentId}/edit`, sees: ['entA'] },
  'POST /instruments/:id': { url: (w) => `/instruments/${w.ledger.instrumentId}`, sees: ['entA'], body: () => ({ name: '越权修改', categoryCode: 'CAL-PG', serialNo: 'EVIL-2', compulsory: 'no', status: 'scrapped' }) },
  'POST /instruments/:id/delete': { url: (w) => `/instruments/${w.ledger.instrumentId}/delete`, sees: ['entA'] },
  'GET /instruments/template.xlsx': { url: () => '/instruments/template.xlsx', sees: enterprises, secrets: 'none' },
  'GET /instruments/import': { url: () => '/instruments/import', sees: ['entA'], reach: ['entB'] },
  'POST /instruments/import': { url: () => '/instruments/import', sees: enterprises, multipart: true },
  'GET /instruments/import/:token': { url: (w) => `/instruments/import/${w.ledger.importToken}`, sees: ['entA'] },
  'POST /instruments/import/:token': { url: (w) => `/instruments/import/${w.ledger.importToken}`, sees: ['entA'] },
  'GET /instruments/book': { url: (w) => `/instruments/book?ids=${w.ledger.instrumentId}`, sees: ['entA'], reach: ['entB'] },
  'POST /instruments/book': { url: () => '/instruments/book', sees: ['entA'], reach: ['entB'], body: (w) => ({ ids: [String(w.ledger.instrumentId)], 'slot-CAL-PG': '2026-10-09|am', contactName: '越权', contactMobile: '13711112222' }) },
  'GET /instruments/settings': { url: () => '/instruments/settings', sees: enterprises, secrets: 'none' },
  'POST /instruments/settings': { url: () => '/instruments/settings', sees: enterprises, body: () => ({ emailReminders: 'on' }) },
  'POST /instruments/calendar': { url: () => '/instruments/calendar', sees: enterprises },
  'POST /instruments/calendar/revoke': { url: () => '/instruments/calendar/revoke', sees: enterprises },
  // The calendar feed has no session: its secret address is the key (unknown or revoked → 404, tested in ledger-reminders).
  'GET /calendar/:file': PUBLIC,
  'GET /admin/compliance': { url: () => '/admin/compliance', sees: ['park1', 'admin'], reach: ['park2'] },
  'GET /admin/compliance/export/:file': { url: () => '/admin/compliance/export/companies.csv', sees: ['park1', 'admin'], reach: ['park2'] },
  'GET /admin/compliance/enterprises/:id': { url: (w) => `/admin/compliance/enterprises/${w.companyA.id}`, sees: ['park1', 'admin'] },
  'GET /admin/outbox': { url: () => '/admin/outbox', sees: ['admin'], secrets: 'none' },
  'POST /admin/outbox/:id/retry': { url: () => '/admin/outbox/1/retry', sees: ['admin'] },
  // Open sharing: entA's equipment booking E at N1's instrument (the fixture's `eq`).
  'GET /equipment': PUBLIC,
  'GET /equipment/:id': PUBLIC,
  'GET /equipment/:id/photo': PUBLIC,
  'GET /open-data': PUBLIC,
  'GET /open-data/:file': PUBLIC,
  'POST /equipment/:id/bookings': { url: (w) => `/equipment/${w.eq.id}/bookings`, sees: enterprises, body: () => ({ date: '2026-09-30', startTime: '09:00', endTime: '10:00', mode: 'assisted', purpose: '越权预约', contactName: '越权', contactMobile: '13800138000' }) },
  'GET /equipment/bookings': { url: () => '/equipment/bookings', sees: ['entA'], reach: ['entB'], secrets: 'equipment+number' },
  'GET /equipment/bookings/:no': { url: (w) => `/equipment/bookings/${w.eq.number}`, sees: inScopeOfX, secrets: 'equipment' },
  'POST /equipment/bookings/:no/:action': { url: (w) => `/equipment/bookings/${w.eq.number}/approve`, sees: ['staff1', 'mgr1'], secrets: 'equipment' },
  'GET /equipment/desk': { url: () => '/equipment/desk?tab=requested', sees: ['staff1', 'mgr1'], reach: ['staff2', 'mgr2'], secrets: 'equipment+number' },
  'GET /equipment/manage': { url: () => '/equipment/manage', sees: ['staff1', 'mgr1', 'admin'], reach: ['staff2', 'mgr2'], secrets: 'none' },
  'GET /equipment/manage/new': { url: () => '/equipment/manage/new', sees: ['mgr1', 'mgr2', 'admin'], secrets: 'none' },
  'POST /equipment/manage': { url: () => '/equipment/manage', sees: ['mgr1', 'mgr2', 'admin'], body: () => ({ code: 'EVIL-EQ', name: '越权设备', category: '其他', modeAssisted: 'on' }) },
  'GET /equipment/manage/:id': { url: (w) => `/equipment/manage/${w.eq.id}`, sees: ['staff1', 'mgr1', 'admin'], secrets: 'equipment' },
  'POST /equipment/manage/:id': { url: (w) => `/equipment/manage/${w.eq.id}`, sees: ['mgr1', 'admin'], body: () => ({ name: '越权改名' }) },
  'POST /equipment/manage/:id/photo': { url: (w) => `/equipment/manage/${w.eq.id}/photo`, sees: ['mgr1', 'admin'], multipart: true },
  'POST /equipment/manage/:id/trainings': { url: (w) => `/equipment/manage/${w.eq.id}/trainings`, sees: ['staff1', 'mgr1'], body: (w) => ({ mobile: w.users.entB.mobile, trainedOn: '2026-09-01', trainer: '越权' }) },
  'POST /equipment/manage/:id/trainings/:tid/revoke': { url: (w) => `/equipment/manage/${w.eq.id}/trainings/${w.eq.trainingId}/revoke`, sees: ['staff1', 'mgr1'] },
  'POST /equipment/manage/:id/blocks': { url: (w) => `/equipment/manage/${w.eq.id}/blocks`, sees: ['staff1', 'mgr1'], body: () => ({ startDate: '2026-10-12', startTime: '09:00', endDate: '2026-10-12', endTime: '12:00', reason: '越权维护' }) },
  'GET /equipment/statements': { url: () => '/equipment/statements?month=2026-09', sees: ['entA', 'staff1', 'mgr1', 'park1', 'admin'], reach: ['entB', 'staff2', 'mgr2', 'park2'], secrets: 'equipment' },
  'GET /equipment/statements/:company/:month': { url: (w) => `/equipment/statements/${w.companyA.id}/2026-09`, sees: ['entA', 'staff1', 'mgr1', 'park1', 'admin'], secrets: 'equipment' },
  'GET /equipment/statements/:company/:month/xlsx': { url: (w) => `/equipment/statements/${w.companyA.id}/2026-09/xlsx`, sees: ['entA', 'staff1', 'mgr1', 'park1', 'admin'], secrets: 'equipment' },
  'GET /equipment/stats': { url: () => '/equipment/stats?period=year', sees: ['mgr1', 'park1', 'admin'], reach: ['mgr2', 'park2'], secrets: 'equipment' },
  'GET /equipment/stats/export/:file': { url: () => '/equipment/stats/export/instruments.csv?period=year', sees: ['mgr1', 'park1', 'admin'], reach: ['mgr2', 'park2'], secrets: 'equipment' },
  'GET /equipment/offer': { url: () => '/equipment/offer', sees: ['entA'], reach: ['entB'], secrets: 'none' },
  'POST /equipment/offers': { url: () => '/equipment/offers', sees: enterprises, body: (w) => ({ nodeId: String(w.x.nodeId), code: 'EVIL-OFFER', name: '越权提供', category: '其他', modeAssisted: 'on', rate_park_assisted: '1', rate_other_assisted: '1', rate_research_assisted: '1' }) },
  'POST /equipment/manage/:id/review': { url: (w) => `/equipment/manage/${w.eq.offerId}/review`, sees: ['admin'], body: () => ({ decision: 'approve' }) },
  'GET /equipment/rules': { url: () => '/equipment/rules', sees: ['admin'], secrets: 'none' },
  'POST /equipment/rules': { url: () => '/equipment/rules', sees: ['admin'], body: () => ({ noShowLimit: '1', windowDays: '365', suspensionDays: '365' }) },
  'POST /equipment/suspensions/:id/lift': { url: (w) => `/equipment/suspensions/${w.eq.suspensionId}/lift`, sees: ['admin'], body: () => ({ reason: '越权解除' }) },
  'POST /equipment/institutes': { url: () => '/equipment/institutes', sees: ['admin'], body: () => ({ creditCode: '91330900MA2C8H2E60' }) },
  'POST /equipment/institutes/remove': { url: () => '/equipment/institutes/remove', sees: ['admin'], body: () => ({ creditCode: '91330900MA2C8H2E60' }) },
  'GET /admin/nodes/:id/offerings/:oid/windows': { url: (w) => `/admin/nodes/${w.x.nodeId}/offerings/${w.x.offeringId}/windows`, sees: ['mgr1', 'admin'], secrets: 'none' },
  'POST /admin/nodes/:id/offerings/:oid/windows': {
    url: (w) => `/admin/nodes/${w.x.nodeId}/offerings/${w.x.offeringId}/windows`,
    sees: ['mgr1', 'admin'],
    body: () => ({ intent: 'save', 'rows[0][label]': '越权夜间', 'rows[0][start]': '20:00', 'rows[0][end]': '08:00', 'rows[0][capacity]': '9', 'rows[0][days][]': '6' }),
  },
  'POST /display': { url: () => '/display', sees: SIGNED_IN, body: () => ({ large: '1', next: '/' }), secrets: 'none' },
  'GET /admin/bookings': { url: () => '/admin/bookings', sees: ['mgr1', 'park1', 'admin'], reach: ['mgr2', 'park2'], secrets: 'booking+number' },
  'GET /admin/calendar': { url: () => '/admin/calendar', sees: ['admin'], secrets: 'none' },
  'POST /admin/calendar': { url: () => '/admin/calendar', sees: ['admin'], body: () => ({ year: '2027', source: '越权录入', text: '2027-10-01 至 2027-10-07 放假 国庆节', intent: 'save' }) },
  'POST /admin/calendar/:year/remove': { url: () => '/admin/calendar/2026/remove', sees: ['admin'] },
};

function secretsFor(w: World, policy: Policy): string[] {
  switch (policy.secrets ?? 'booking') {
    case 'none':
      return [];
    case 'staff':
      return w.secrets.staff;
    case 'booking+number':
      return [...w.secrets.booking, w.x.number];
    case 'booking':
      return w.secrets.booking;
    case 'equipment':
      return w.secrets.equipment;
    case 'equipment+number':
      return [...w.secrets.equipment, w.eq.number];
  }
}

describe('security: access control over every route (IDOR, roles, scopes, files)', function () {
  this.timeout(120_000);
  let w: World;
  const tokens = new Map<P, string>();

  before(async () => {
    w = await buildWorld();
    serviceId = (await w.t.db.select({ id: services.id }).from(services).where(eq(services.code, 'CAL-PG')))[0]!.id;
    for (const p of SIGNED_IN) tokens.set(p, await tokenOf(w.agents[p as Exclude<P, 'anon'>], true));
  });
  after(() => w?.t.close());

  it('has a policy line for every route the app answers, and none for routes that no longer exist', () => {
    const routes = routeTable(w.t.app).map((r) => `${r.method} ${r.path}`);
    expect(routes.filter((r) => !(r in POLICIES)), 'routes without a policy').to.deep.equal([]);
    expect(Object.keys(POLICIES).filter((k) => !routes.includes(k)), 'policies without a route').to.deep.equal([]);
  });

  async function send(p: P, method: string, url: string, policy: Policy, hops = 1): Promise<{ status: number; location: string; text: string }> {
    let agent: Agent;
    let token = '';
    if (p === 'anon') {
      agent = w.anon();
      if (method === 'POST') token = await tokenOf(agent, false);
    } else {
      agent = w.agents[p];
      token = tokens.get(p)!;
    }
    if (method === 'GET') {
      const res = await agent.get(url).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      const location = String(res.headers.location ?? '');
      // A redirect to another page of the app (staff are sent from /bookings/:no to the workbench) is followed once:
      // what counts is where it ends.
      if (hops > 0 && [302, 303].includes(res.status) && location.startsWith('/') && !location.startsWith('/login')) return send(p, 'GET', location, policy, hops - 1);
      return { status: res.status, location, text: (res.body as Buffer).toString('utf8') };
    }
    const body = { _csrf: token, ...(policy.body?.(w) ?? {}) };
    const res = policy.multipart
      ? await postMultipart(agent, url, body, [{ field: url.includes('/lab/') ? 'file_report_pdf' : url.endsWith('/resubmit') ? 'file_correction' : 'file_other', buffer: SECRET_PDF, name: '越权.pdf' }])
      : await agent.post(url).type('form').send(body);
    return { status: res.status, location: String(res.headers.location ?? ''), text: res.text ?? '' };
  }

  for (const [key, policy] of Object.entries(POLICIES)) {
    if (policy === PUBLIC) continue;
    const [method] = key.split(' ') as [string, string];
    it(`${key}: ${policy.sees.join(', ')} in scope${policy.reach ? `; ${policy.reach.join(', ')} see only their own` : ''}; everyone else refused`, async () => {
      const url = policy.url(w);
      const secrets = secretsFor(w, policy);
      const before = method === 'POST' ? await stateDigest(w.t) : undefined;
      const beforeX = method === 'POST' ? await digestOfX(w) : undefined;
      const filesBefore = filesUnder(w.t.uploadDir).length;
      // Refused principals first (nothing at all may change), then those who may act on their own scope (X may not).
      const reach = policy.reach ?? [];
      const order = [...PRINCIPALS.filter((p) => !reach.includes(p)), ...reach];
      let checkedRefusals = false;
      for (const p of order) {
        const inScope = policy.sees.includes(p);
        if (inScope && method === 'POST') continue;
        if (before && !checkedRefusals && reach.includes(p)) {
          expect(await stateDigest(w.t), `${key}: refused requests changed data`).to.deep.equal(before);
          checkedRefusals = true;
        }
        const res = await send(p, method, url, policy);
        const where = `${p} ${method} ${url} → ${res.status}`;
        expect(res.status, where).to.be.below(500);
        if (inScope) {
          expect([403, 404], `${where}: in scope, must not be refused`).not.to.include(res.status);
          continue;
        }
        // The requester's own name and mobile are on every page they see (the header).
        const own = p === 'anon' ? [] : [w.users[p].name, w.users[p].mobile];
        for (const secret of secrets.filter((s) => !own.includes(s))) expect(res.text, `${where} leaks “${secret}”`).not.to.contain(secret);
        if (reach.includes(p)) continue;
        if (p === 'anon') {
          // Not signed in: GET pages send to the login page; a POST may also be answered 401 or 403 (CSRF) outright.
          if (method === 'GET' || ![401, 403].includes(res.status)) {
            expect([302, 303], where).to.include(res.status);
            expect(res.location, where).to.match(/^\/login/);
          }
        } else {
          expect([403, 404], where).to.include(res.status);
        }
      }
      if (before && !checkedRefusals) expect(await stateDigest(w.t), `${key}: refused requests changed data`).to.deep.equal(before);
      if (beforeX) expect(await digestOfX(w), `${key}: requests out of X's scope changed X`).to.deep.equal(beforeX);
      expect(filesUnder(w.t.uploadDir).length, `${key}: a refused upload left a file`).to.equal(filesBefore);
    });
  }

  it("does not serve one booking's attachment, report or notification under another booking or user (mismatched ids)", async () => {
    const { agents } = w;
    const checks: [Agent, string][] = [
      [agents.entB, `/bookings/${w.y.number}/attachments/${w.x.attachmentId}`],
      [agents.entA, `/bookings/${w.x.number}/attachments/${w.y.attachmentId}`],
      [agents.staff2, `/bookings/${w.y.number}/attachments/${w.x.attachmentId}`],
      [agents.entB, `/bookings/${w.y.number}/reports/1`],
      [agents.entB, `/bookings/${w.y.number}/reports/1/pdf`],
      [agents.entA, `/bookings/${w.x.number}/reports/2`],
      [agents.staff2, `/lab/bookings/${w.x.number}`],
      [agents.park2, `/bookings/${w.x.number}`],
      [agents.mgr2, `/admin/nodes/${w.x.nodeId}`],
    ];
    for (const [agent, url] of checks) {
      const res = await agent.get(url);
      expect(res.status, url).to.equal(404);
      for (const secret of w.secrets.booking) expect(res.text, `${url} leaks ${secret}`).not.to.contain(secret);
    }
    // the same ids in their own pairs do answer (the checks above are not 404 for everything)
    expect((await agents.entB.get(`/bookings/${w.y.number}/attachments/${w.y.attachmentId}`)).status).to.equal(200);
    expect((await agents.entA.get(`/bookings/${w.x.number}/attachments/${w.x.attachmentId}`)).status).to.equal(200);
  });

  it('answers malformed and out-of-range ids in every route with 404, never a 500', async () => {
    const garbage = ['0', '-1', '1e3', '99999999999999999999', 'abc', '%00', '..%2F..%2Fetc%2Fpasswd', "1'%20OR%20'1'%3D'1", '%E2%80%AE', 'null', '1.5'];
    for (const r of routeTable(w.t.app)) {
      if (r.method !== 'GET' || !r.path.includes(':')) continue;
      for (const bad of garbage) {
        const url = r.path.replace(/:[a-z]+/g, bad);
        const res = await w.agents.admin.get(url);
        expect(res.status, `${url} → ${res.status}`).to.be.oneOf([400, 403, 404]);
        expect(res.text, url).not.to.match(/\bat .+\.(ts|js):\d+/);
      }
    }
  });
});
