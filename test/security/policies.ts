import { eq } from 'drizzle-orm';
import { attachments, experts, needs, services, users, webhookDeliveries } from '../../src/db/schema.js';
import { createUser } from '../support/factories.js';
import { fileExportCert, stepsOfChain } from '../support/chains.js';
import { PRINCIPALS, SECRET_PDF, type PrincipalKey, type World } from './fixture.js';

/**
 * Every route of the app with who may use it: the access matrix checks each line, the GET-query fuzzer takes its
 * URLs and principals from here. The access-matrix test fails when a route is added without a line.
 */
export type P = PrincipalKey;
export const SIGNED_IN: P[] = PRINCIPALS.filter((p) => p !== 'anon');

export interface Policy {
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

export const PUBLIC = 'public' as const;
const X = (w: World) => w.x.number;
const inScopeOfX: P[] = ['entA', 'staff1', 'mgr1', 'park1', 'admin'];
const enterprises: P[] = ['entA', 'entB'];
let serviceId = 0;
/** entA's API key, webhook subscription and one logged delivery; mgr1's and the platform's keys (made in preparePolicies). */
const integration = { companyKey: 0, hook: 0, delivery: 0, nodeKey: 0, nodeHook: 0, nodeDelivery: 0, platformKey: 0 };
/** entA's whole-chain request (一件事) and its second step; the platform admin holds the coordinator duty. */
let chainNumber = '';
let chainStepId = 0;
/** entA's quality need (质量需求) with a document and a proposal (BZ-BENCH) to book from; an expert's profile. */
let needNumber = '';
let needFileId = 0;
let expertId = 0;

/** Reads the record ids the policy URLs need beyond the world's own (call once in before()). */
export async function preparePolicies(w: World): Promise<void> {
  serviceId = (await w.t.db.select({ id: services.id }).from(services).where(eq(services.code, 'CAL-PG')))[0]!.id;
  const as = async (p: Exclude<P, 'anon'>) => (await w.t.services.auth.loadPrincipal(w.users[p].id))!;
  const made = async (p: 'entA' | 'mgr1') => {
    const user = await as(p);
    const key = await w.t.services.keys.create(user, { name: `${p} 的密钥`, scopes: ['read'] });
    const hook = await w.t.services.webhooks.create(user, { url: 'http://127.0.0.1:9/hook', events: ['booking.created'] });
    await w.t.services.webhooks.ping(user, hook.id);
    const [delivery] = await w.t.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, hook.id));
    await w.t.db.update(webhookDeliveries).set({ outboxId: 1 }).where(eq(webhookDeliveries.id, delivery!.id));
    return { key: key.id, hook: hook.id, delivery: delivery!.id };
  };
  const company = await made('entA');
  const node = await made('mgr1');
  const platform = await w.t.services.keys.create(await as('admin'), { name: '平台集成', scopes: ['read'] });
  Object.assign(integration, { companyKey: company.key, hook: company.hook, delivery: company.delivery, nodeKey: node.key, nodeHook: node.hook, nodeDelivery: node.delivery, platformKey: platform.id });
  await w.t.db.update(users).set({ coordinatorSince: new Date() }).where(eq(users.id, w.users.admin.id));
  chainNumber = await fileExportCert(w.t, w.users.entA.id, { avoidNodes: [w.y.nodeId] });
  chainStepId = (await stepsOfChain(w.t, chainNumber))[1]!.id;
  needNumber = await w.t.services.needs.submit((await w.t.services.auth.loadPrincipal(w.users.entA.id))!, { type: '技术难题', title: '甲方保密需求', description: '甲方的技术难题描述，仅甲方和协调人可见。', preferredWay: 'online' }, {
    files: [{ purpose: 'need_file', originalname: '甲方需求材料.pdf', buffer: SECRET_PDF, size: SECRET_PDF.length }],
  });
  const [need] = await w.t.db.update(needs).set({ proposedServices: ['BZ-BENCH'] }).where(eq(needs.number, needNumber)).returning({ id: needs.id });
  needFileId = (await w.t.db.select({ id: attachments.id }).from(attachments).where(eq(attachments.needId, need!.id)))[0]!.id;
  const expert = await createUser(w.t.db, 'expert', {}, { name: '档案专家' });
  expertId = (await w.t.db.insert(experts).values({ userId: expert.id, organisation: '舟山市计量测试研究院', fields: ['技术难题'] }).returning({ id: experts.id }))[0]!.id;
}

export const POLICIES: Record<string, Policy | typeof PUBLIC> = {
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
  'POST /enterprises/:id/invoice-info': { url: (w) => `/enterprises/${w.companyA.id}/invoice-info`, sees: ['entA'], body: () => ({ invoiceTitle: '越权抬头有限公司', invoiceTaxNo: '91330902MA2A0B1C4N' }) },
  'GET /admin/oil-limits': { url: () => '/admin/oil-limits', sees: ['admin'], secrets: 'none' },
  'POST /admin/oil-limits/:id/verify': { url: () => '/admin/oil-limits/1/verify', sees: ['admin'], body: () => ({ note: '越权核实限值' }) },
  'GET /admin/nodes/:id/signatories': { url: (w) => `/admin/nodes/${w.x.nodeId}/signatories`, sees: ['mgr1', 'admin'], secrets: 'staff' },
  'GET /admin/nodes/:id/standards': { url: (w) => `/admin/nodes/${w.x.nodeId}/standards`, sees: ['mgr1', 'admin'], secrets: 'staff' },
  'POST /admin/nodes/:id/signatories': { url: (w) => `/admin/nodes/${w.x.nodeId}/signatories`, sees: ['mgr1', 'admin'], body: (w) => ({ userId: String(w.users.staff1.id), validFrom: '2026-09-28' }) },
  'POST /admin/nodes/:id/signatories/:sid/revoke': { url: (w) => `/admin/nodes/${w.x.nodeId}/signatories/1/revoke`, sees: ['mgr1', 'admin'] },
  'POST /admin/nodes/:id/standards': { url: (w) => `/admin/nodes/${w.x.nodeId}/standards`, sees: ['mgr1', 'admin'], body: () => ({ name: '矩阵测试计量标准', certificateNo: `［2024］浙量标舟证字第 ${Math.floor(Math.random() * 1e9)} 号`, measuringRange: '(0～60) MPa', accuracy: '0.05 级', validUntil: '2029-12-31', categoryCodes: 'CAL-PG' }) },
  'POST /admin/nodes/:id/standards/:sid/retire': { url: (w) => `/admin/nodes/${w.x.nodeId}/standards/1/retire`, sees: ['mgr1', 'admin'] },
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
  // Integrations: API keys and webhooks of entA (TODO issue 14: its company admin), of N1 (mgr1), of the platform.
  'GET /company/api-keys': { url: () => '/company/api-keys', sees: ['entA'], reach: ['entB'], secrets: 'none' },
  'POST /company/api-keys': { url: () => '/company/api-keys', sees: ['entA'], reach: ['entB'], body: () => ({ name: '越权密钥', scopes: ['read'] }) },
  'POST /company/api-keys/:id/revoke': { url: () => `/company/api-keys/${integration.companyKey}/revoke`, sees: ['entA'] },
  'POST /company/webhooks': { url: () => '/company/webhooks', sees: ['entA'], reach: ['entB'], body: () => ({ url: 'http://127.0.0.1:9/other', events: ['booking.created'] }) },
  'POST /company/webhooks/:id/remove': { url: () => `/company/webhooks/${integration.hook}/remove`, sees: ['entA'] },
  'POST /company/webhooks/:id/ping': { url: () => `/company/webhooks/${integration.hook}/ping`, sees: ['entA'] },
  'POST /company/webhooks/deliveries/:id/redeliver': { url: () => `/company/webhooks/deliveries/${integration.delivery}/redeliver`, sees: ['entA'] },
  'GET /lab/api-keys': { url: () => '/lab/api-keys', sees: ['mgr1'], reach: ['mgr2'], secrets: 'none' },
  'POST /lab/api-keys': { url: () => '/lab/api-keys', sees: ['mgr1'], reach: ['mgr2'], body: () => ({ name: '越权密钥', scopes: ['read'] }) },
  'POST /lab/api-keys/:id/revoke': { url: () => `/lab/api-keys/${integration.nodeKey}/revoke`, sees: ['mgr1'] },
  'POST /lab/webhooks': { url: () => '/lab/webhooks', sees: ['mgr1'], reach: ['mgr2'], body: () => ({ url: 'http://127.0.0.1:9/other', events: ['booking.created'] }) },
  'POST /lab/webhooks/:id/remove': { url: () => `/lab/webhooks/${integration.nodeHook}/remove`, sees: ['mgr1'] },
  'POST /lab/webhooks/:id/ping': { url: () => `/lab/webhooks/${integration.nodeHook}/ping`, sees: ['mgr1'] },
  'POST /lab/webhooks/deliveries/:id/redeliver': { url: () => `/lab/webhooks/deliveries/${integration.nodeDelivery}/redeliver`, sees: ['mgr1'] },
  'GET /admin/api-keys': { url: () => '/admin/api-keys', sees: ['admin'], secrets: 'none' },
  'POST /admin/api-keys': { url: () => '/admin/api-keys', sees: ['admin'], body: () => ({ name: '越权密钥', scopes: ['read'] }) },
  'POST /admin/api-keys/:id/revoke': { url: () => `/admin/api-keys/${integration.platformKey}/revoke`, sees: ['admin'] },
  // The open API takes no session: bearer keys only. Its matrix (no key / revoked → 401, other company or node → 404,
  // scope → 403) is test/http/api.test.ts; here every session principal gets 401.
  'GET /api/v1/openapi.json': PUBLIC,
  'GET /api/docs': PUBLIC,
  'GET /api/v1/services': PUBLIC,
  'GET /api/v1/nodes': PUBLIC,
  'GET /api/v1/availability': PUBLIC,
  'GET /api/v1/verify': PUBLIC,
  'GET /api/v1/bookings': PUBLIC,
  'POST /api/v1/bookings': PUBLIC,
  'GET /api/v1/bookings/:number': PUBLIC,
  'POST /api/v1/bookings/:number/cancel': PUBLIC,
  'POST /api/v1/bookings/:number/reschedule': PUBLIC,
  'GET /api/v1/bookings/:number/reports': PUBLIC,
  'GET /api/v1/bookings/:number/reports/:version': PUBLIC,
  'GET /api/v1/bookings/:number/reports/:version/pdf': PUBLIC,
  'GET /api/v1/instruments': PUBLIC,
  'GET /api/v1/instruments/:id': PUBLIC,
  'POST /api/v1/instruments': PUBLIC,
  'PUT /api/v1/instruments/:id': PUBLIC,
  'POST /api/v1/instruments/imports': PUBLIC,
  'GET /api/v1/instruments/imports/:token': PUBLIC,
  'POST /api/v1/instruments/imports/:token/confirm': PUBLIC,
  'GET /api/v1/lab/queue': PUBLIC,
  'GET /api/v1/lab/standards': PUBLIC,
  'POST /api/v1/lab/bookings/:number/:action': PUBLIC,
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

  // The company workspace (company admins: entA and entB of their own company) and its public token pages.
  'GET /company': { url: () => '/company', sees: ['entA'], reach: ['entB'] },
  'POST /company/invitations': { url: () => '/company/invitations', sees: ['entA'], reach: ['entB'], body: () => ({ mobile: '13711113333' }) },
  'POST /company/invitations/:id/revoke': { url: (w) => `/company/invitations/${w.window.invitationId}/revoke`, sees: ['entA'] },
  'POST /company/users/:id/active': { url: (w) => `/company/users/${w.users.entA.id}/active`, sees: ['entA'], body: () => ({ active: '0' }) },
  'POST /company/users/:id/admin': { url: (w) => `/company/users/${w.users.entA.id}/admin`, sees: ['entA'], body: () => ({ admin: '0' }) },
  'POST /company/users/:id/reset-password': { url: (w) => `/company/users/${w.users.entA.id}/reset-password`, sees: ['entA'] },
  'POST /company/join-requests/:id/approve': { url: (w) => `/company/join-requests/${w.window.joinRequestId}/approve`, sees: ['entA'] },
  'POST /company/join-requests/:id/refuse': { url: (w) => `/company/join-requests/${w.window.joinRequestId}/refuse`, sees: ['entA'] },
  'GET /invite/:token': PUBLIC,
  'POST /invite/:token': PUBLIC,
  'GET /password/forgot': PUBLIC,
  'POST /password/forgot': PUBLIC,
  'GET /password/reset/:token': PUBLIC,
  'POST /password/reset/:token': PUBLIC,

  // The walk-in window: staff1 (N1) and staff2 (N2) hold the window duty; the case and the ticket are N1's.
  'GET /window': { url: () => '/window', sees: ['staff1', 'staff2'], secrets: 'none' },
  'GET /window/companies/new': { url: () => '/window/companies/new', sees: ['staff1', 'staff2'], secrets: 'none' },
  'POST /window/companies': { url: () => '/window/companies', sees: ['staff1', 'staff2'], body: () => ({ companyName: '越权登记有限公司', creditCode: '91330900MA2C8H2E60', address: '舟山市定海区越权路 1 号' }) },
  'GET /window/companies/:id': { url: (w) => `/window/companies/${w.companyA.id}`, sees: ['staff1', 'staff2'] },
  'POST /window/companies/:id/cases': { url: (w) => `/window/companies/${w.companyA.id}/cases`, sees: ['staff1', 'staff2'], body: () => ({ visitorName: '越权来办', visitorMobile: '13711114444', visitorIdLast4: '0000' }) },
  'GET /window/cases/:id': { url: (w) => `/window/cases/${w.window.caseId}`, sees: ['staff1'] },
  'GET /window/cases/:id/book': { url: (w) => `/window/cases/${w.window.caseId}/book?service=CAL-PG&node=${w.x.nodeId}`, sees: ['staff1'] },
  'POST /window/cases/:id/bookings': { url: (w) => `/window/cases/${w.window.caseId}/bookings`, sees: ['staff1'], multipart: true, body: (w) => ({ service: 'CAL-PG', node: String(w.x.nodeId) }) },
  'POST /window/cases/:id/receipt': { url: (w) => `/window/cases/${w.window.caseId}/receipt`, sees: ['staff1'] },
  'POST /window/cases/:id/close': { url: (w) => `/window/cases/${w.window.caseId}/close`, sees: ['staff1'] },
  'GET /window/queue': { url: () => '/window/queue', sees: ['staff1', 'staff2'], secrets: 'none' },
  'POST /window/queue/tickets': { url: () => '/window/queue/tickets', sees: ['staff1', 'staff2'], body: () => ({ categoryCode: 'metrology' }) },
  'POST /window/queue/tickets/:id/:move': { url: (w) => `/window/queue/tickets/${w.window.ticketId}/call`, sees: ['staff1'] },
  'GET /nodes/:id/queue': PUBLIC,
  'GET /window/staff': { url: () => '/window/staff', sees: ['mgr1'], reach: ['mgr2'], secrets: 'staff' },
  'POST /window/staff/:id/duty': { url: (w) => `/window/staff/${w.users.staff1.id}/duty`, sees: ['mgr1'], body: () => ({ active: '0' }), secrets: 'staff' },
  'GET /window/stats': { url: () => '/window/stats', sees: ['staff1', 'staff2'], secrets: 'none' },
  'POST /admin/calendar': { url: () => '/admin/calendar', sees: ['admin'], body: () => ({ year: '2027', source: '越权录入', text: '2027-10-01 至 2027-10-07 放假 国庆节', intent: 'save' }) },
  'POST /admin/calendar/:year/remove': { url: () => '/admin/calendar/2026/remove', sees: ['admin'] },
  // 一件事: entA's request; bundles are the platform admin's; the admin also holds the coordinator duty.
  'GET /chains': { url: () => '/chains', sees: ['entA', 'park1', 'admin'], reach: ['entB', 'park2'], secrets: 'none' },
  'GET /chains/new': { url: () => '/chains/new?bundle=EXPORT-CERT', sees: enterprises, secrets: 'none' },
  'POST /chains': { url: () => '/chains', sees: enterprises, body: () => ({ bundle: 'EXPORT-CERT', contactName: '越权', contactMobile: '13800138000', description: '越权提交的一件事申请内容。' }) },
  'GET /chains/:number': { url: () => `/chains/${chainNumber}`, sees: ['entA', 'park1', 'admin'], secrets: 'none' },
  'POST /chains/:number/rating': { url: () => `/chains/${chainNumber}/rating`, sees: ['entA'], body: () => ({ level: '1', comment: '越权评价' }) },
  'GET /admin/bundles': { url: () => '/admin/bundles', sees: ['admin'], secrets: 'none' },
  'GET /admin/bundles/new': { url: () => '/admin/bundles/new', sees: ['admin'], secrets: 'none' },
  'POST /admin/bundles': { url: () => '/admin/bundles', sees: ['admin'], body: () => ({ code: 'EVIL-BUNDLE', name: '越权套餐名称', s1_title: '甲', s1_service: 'CAL-PG', s2_title: '乙', s2_service: 'BZ-BENCH' }) },
  'GET /admin/bundles/:code': { url: () => '/admin/bundles/EXPORT-CERT', sees: ['admin'], secrets: 'none' },
  'POST /admin/bundles/:code': { url: () => '/admin/bundles/EXPORT-CERT', sees: ['admin'], body: () => ({ name: '越权改名套餐', s1_title: '甲', s1_service: 'CAL-PG', s2_title: '乙', s2_service: 'BZ-BENCH' }) },
  'POST /admin/bundles/:code/active': { url: () => '/admin/bundles/EXPORT-CERT/active', sees: ['admin'], body: () => ({ active: '0' }) },
  'GET /admin/coordinators': { url: () => '/admin/coordinators', sees: ['admin'], secrets: 'none' },
  'POST /admin/coordinators/:id': { url: (w) => `/admin/coordinators/${w.users.admin.id}`, sees: ['admin'], body: () => ({ active: '0' }) },
  'GET /coordinator/chains': { url: () => '/coordinator/chains', sees: ['admin'], secrets: 'none' },
  'POST /coordinator/chains/steps/:id/reroute': { url: () => `/coordinator/chains/steps/${chainStepId}/reroute`, sees: ['admin'], body: (w) => ({ node: String(w.x.nodeId), reason: '越权改派' }) },
  // Quality needs: entA's need; the admin (coordinator) assigns and closes; experts (none in the fixture) answer.
  'GET /needs': { url: () => '/needs', sees: ['entA', 'park1', 'admin'], reach: ['entB', 'park2'], secrets: 'none' },
  'POST /needs': { url: () => '/needs', sees: ['entA', 'entB', 'park1', 'park2'], multipart: true, body: () => ({ type: '技术难题', title: '越权需求', description: '越权提交的需求描述内容。', preferredWay: 'online' }) },
  'GET /needs/:number': { url: () => `/needs/${needNumber}`, sees: ['entA', 'park1', 'admin'], secrets: 'none' },
  'GET /needs/:number/attachments/:id': { url: () => `/needs/${needNumber}/attachments/${needFileId}`, sees: ['entA', 'park1', 'admin'], secrets: 'none' },
  'POST /needs/:number/messages': { url: () => `/needs/${needNumber}/messages`, sees: ['entA', 'admin'], multipart: true, body: () => ({ body: '越权留言' }) },
  // The proposal: the assigned expert (none in the fixture) or a coordinator; booking from it: the need's company.
  'POST /needs/:number/proposal': { url: () => `/needs/${needNumber}/proposal`, sees: ['admin'], body: () => ({ services: ['CAL-PG'] }) },
  'GET /needs/:number/bookings': { url: () => `/needs/${needNumber}/bookings`, sees: ['entA'], secrets: 'none' },
  'POST /needs/:number/bookings': { url: () => `/needs/${needNumber}/bookings`, sees: ['entA'], body: () => ({ s1_node: '1', s1_slot: '2026-10-09|09:00', contactName: '越权', contactMobile: '13900000000', description: '越权预约的需求说明文字。' }) },
  // An expert's profile: the expert (not a fixture principal) and coordinators (the admin holds the duty).
  'GET /experts/:id/profile': { url: () => `/experts/${expertId}/profile`, sees: ['admin'], secrets: 'none' },
  'POST /experts/:id/profile': { url: () => `/experts/${expertId}/profile`, sees: ['admin'], body: () => ({ fields: '技术难题', tags: '越权', qualifications: '', state: 'paused', pausedUntil: '', maxLoad: '1' }) },
  'POST /needs/:number/assign': { url: () => `/needs/${needNumber}/assign`, sees: ['admin'], body: () => ({ expert: '1' }) },
  'POST /needs/:number/accept': { url: () => `/needs/${needNumber}/accept`, sees: [] },
  'POST /needs/:number/resolve': { url: () => `/needs/${needNumber}/resolve`, sees: [], body: () => ({ resolution: '越权答复的结论内容。' }) },
  'POST /needs/:number/rating': { url: () => `/needs/${needNumber}/rating`, sees: ['entA'], body: () => ({ level: '1' }) },
  'POST /needs/:number/close': { url: () => `/needs/${needNumber}/close`, sees: ['admin'], body: () => ({ reason: '越权关闭' }) },
  'GET /coordinator/needs': { url: () => '/coordinator/needs', sees: ['admin'], secrets: 'none' },
  'POST /notifications/:id/read': { url: (w) => `/notifications/${w.x.notificationId}/read`, sees: ['entA'], secrets: 'booking+number' },
};
