import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { attachments, bookingItems, bookings, calendarDays, closures, instrumentImports, instruments, invitations, joinRequests, nodes, nodeServices, notifications, queueTickets, services, users as usersTable, windowCases } from '../../src/db/schema.js';
import { fixedClock } from '../../src/shared/time.js';
import { agentFor, createTestApp, csrfFrom, login, type Agent, type TestApp, type TestAppOptions } from '../support/app.js';
import { calibrationFields, MONDAY_BEFORE_NATIONAL_DAY, openBookingForm, postMultipart } from '../support/bookings.js';
import { createCompanyUser, createUser, grantSignatory, TEST_PASSWORD, type TestUser } from '../support/factories.js';
import { CONDITION_FIELDS, labAction, standardFor } from '../support/lab.js';
import { equipmentFixture } from '../support/equipment.js';

/** Who asks. `entA` owns the fixture's booking, served by node N1; `*2`/`entB`/`park2` are the same roles elsewhere. */
export const PRINCIPALS = ['anon', 'entA', 'entB', 'staff1', 'mgr1', 'staff2', 'mgr2', 'park1', 'park2', 'admin'] as const;
export type PrincipalKey = (typeof PRINCIPALS)[number];

/** A PDF whose bytes carry a marker, so a leaked download is recognisable. */
export const SECRET_PDF = Buffer.from('%PDF-1.4\n% ATTACH-SECRET-4412\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

export interface World {
  t: TestApp;
  agents: Record<Exclude<PrincipalKey, 'anon'>, Agent>;
  users: Record<Exclude<PrincipalKey, 'anon'>, TestUser>;
  /** A fresh anonymous agent per call (no session carried between checks). */
  anon(): Agent;
  companyA: { id: number; name: string };
  companyB: { id: number; name: string };
  /** entA's booking at N1, taken through the lab to an issued report; with an attachment and notifications. */
  x: { id: number; number: string; attachmentId: number; notificationId: number; nodeId: number; offeringId: number; closureId: number };
  /** entA's ledger: the entry X's certificate created, and an upload waiting for confirmation (its preview token). */
  ledger: { instrumentId: number; importToken: string };
  /** entB's booking at N2, with an attachment (for cross-pair IDOR: X's ids under Y's number). */
  y: { id: number; number: string; attachmentId: number; nodeId: number };
  /** entA's shared-equipment booking at N1's instrument, a training record there, and another company's suspension. */
  eq: { id: number; number: string; trainingId: number; suspensionId: number; offerId: number };
  /** entA and entB are their companies' admins; staff1/staff2 hold the window duty: a walk-in case at N1 for company A
   *  (staff1), a queue ticket at N1, an open invitation and a pending join request of company A. */
  window: { caseId: number; ticketId: number; invitationId: number; joinRequestId: number };
  /** Text that only those in scope of X (or of N1's staff, or of entA's equipment booking) may ever see. */
  secrets: { booking: string[]; staff: string[]; equipment: string[] };
}

const N1 = 'ZS-METROLOGY';
const SERIAL_SECRET = 'SN-SECRET-7731';

async function bookWithAttachment(agent: Agent, nodeId: number, slot: string, serial: string, fileName: string): Promise<string> {
  const page = await openBookingForm(agent, 'CAL-PG', nodeId);
  const fields = calibrationFields(page, nodeId, {
    slot,
    'items[0][serialNo]': serial,
    'items[1][serialNo]': `${serial}-B`,
    contactName: '保密联系人',
  });
  const res = await postMultipart(agent, '/bookings', fields, [{ field: 'file_other', buffer: SECRET_PDF, name: fileName }]);
  if (res.status !== 303) throw new Error(`fixture booking failed: ${res.status} ${res.text.slice(0, 300)}`);
  return res.headers.location!.split('/').pop()!;
}

/** The whole world the security suites attack: two companies in two parks, two nodes, every role twice. */
export async function buildWorld(opts: Pick<TestAppOptions, 'database' | 'env'> = {}): Promise<World> {
  const t = await createTestApp({ clock: fixedClock(MONDAY_BEFORE_NATIONAL_DAY), verifyLimit: { limit: 10_000, windowMs: 60_000 }, ...opts });
  const a = await createCompanyUser(t.db, { name: '甲保密船舶机械有限公司', parkCode: 'P-DINGHAI' });
  const b = await createCompanyUser(t.db, { name: '乙对照海运有限公司', parkCode: 'P-PUTUO' });
  const [n1] = await t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.code, N1));
  // N2: another node offering the same service.
  const [n2] = await t.db
    .select({ id: nodes.id, code: nodes.code })
    .from(nodeServices)
    .innerJoin(nodes, eq(nodes.id, nodeServices.nodeId))
    .innerJoin(services, eq(services.id, nodeServices.serviceId))
    .where(and(eq(services.code, 'CAL-PG'), ne(nodes.code, N1), eq(nodes.active, true)))
    .limit(1);
  const users = {
    entA: a.user,
    entB: b.user,
    staff1: await createUser(t.db, 'lab_staff', { nodeCode: N1 }, { name: '李保密' }),
    mgr1: await createUser(t.db, 'node_manager', { nodeCode: N1 }, { name: '周保密' }),
    staff2: await createUser(t.db, 'lab_staff', { nodeCode: n2!.code }),
    mgr2: await createUser(t.db, 'node_manager', { nodeCode: n2!.code }),
    park1: await createUser(t.db, 'park_admin', { parkCode: 'P-DINGHAI' }),
    park2: await createUser(t.db, 'park_admin', { parkCode: 'P-PUTUO' }),
    admin: await createUser(t.db, 'platform_admin'),
  };
  const agents = Object.fromEntries(Object.keys(users).map((k) => [k, agentFor(t.app)])) as World['agents'];
  for (const [k, user] of Object.entries(users)) await login(agents[k as keyof typeof agents], user.mobile, TEST_PASSWORD);
  // Reports are signed by three people: staff1 tests, a checker verifies, mgr1 (authorised signatory) approves.
  await grantSignatory(t.db, users.mgr1);
  const checker = await createUser(t.db, 'lab_staff', { nodeCode: N1 }, { name: '审核员保密' });
  const checkerAgent = agentFor(t.app);
  await login(checkerAgent, checker.mobile, TEST_PASSWORD);
  checkers.set(t, checkerAgent);

  const xNumber = await bookWithAttachment(agents.entA, n1!.id, '2026-09-29|am', SERIAL_SECRET, '保密清单.pdf');
  const yNumber = await bookWithAttachment(agents.entB, n2!.id, '2026-09-29|pm', 'SN-OTHER-0001', '对照清单.pdf');

  // X through the lab to an issued report (staff1 records, the checker verifies, mgr1 signs).
  await advance(t, agents, users, xNumber, ['accept', 'receive', 'start', 'submit_results', 'verify', 'issue_report']);

  // …and the signed report PDF (uploaded by staff1, confirmed by the signatory), so report downloads have a file to refuse.
  const workbench = await agents.staff1.get(`/lab/bookings/${xNumber}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(workbench.text)![1]!;
  const uploaded = await postMultipart(agents.staff1, `/lab/bookings/${xNumber}/upload_report_pdf`, { _csrf: csrf, reason: '盖章扫描件' }, [{ field: 'file_report_pdf', buffer: SECRET_PDF, name: '签章报告.pdf' }]);
  if (uploaded.status !== 303) throw new Error(`fixture upload_report_pdf: ${uploaded.status} ${uploaded.text.slice(0, 300)}`);
  const confirmed = await labAction(agents.mgr1, xNumber, 'confirm_report_pdf');
  if (confirmed.status !== 303) throw new Error(`fixture confirm_report_pdf: ${confirmed.status} ${confirmed.text.slice(0, 300)}`);

  const rowOf = async (number: string) => (await t.db.select().from(bookings).where(eq(bookings.number, number)))[0]!;
  const [bx, by] = [await rowOf(xNumber), await rowOf(yNumber)];
  const attachmentOf = async (bookingId: number) => (await t.db.select({ id: attachments.id }).from(attachments).where(eq(attachments.bookingId, bookingId)))[0]!.id;
  const [note] = await t.db.select({ id: notifications.id }).from(notifications).where(eq(notifications.userId, users.entA.id)).limit(1);
  const [offering] = await t.db.select({ id: nodeServices.id }).from(nodeServices).where(eq(nodeServices.nodeId, n1!.id)).limit(1);
  const sharing = await equipmentFixture(t.db, { agentA: agents.entA, userA: users.entA, companyA: a.enterprise, nodeCode: N1, purposeSecret: 'EQ-PURPOSE-SECRET-5521' });
  const [closure] = await t.db.insert(closures).values({ nodeId: n1!.id, startDate: '2026-10-20', endDate: '2026-10-20', reason: '设备检修' }).returning({ id: closures.id });
  // An entered holiday arrangement of next year, so the calendar page holds its withdraw form for the crawler.
  await t.db.insert(calendarDays).values(['2027-10-01', '2027-10-02', '2027-10-03'].map((date) => ({ date, kind: 'holiday' as const, name: '国庆节', year: 2027, source: '国办发明电〔2026〕9号', enteredBy: users.admin.id })));

  // The company workspace and the walk-in window.
  await t.db.update(usersTable).set({ companyAdmin: true }).where(inArray(usersTable.id, [users.entA.id, users.entB.id]));
  await t.db.update(usersTable).set({ windowDuty: true }).where(inArray(usersTable.id, [users.staff1.id, users.staff2.id]));
  const [windowCase] = await t.db.insert(windowCases).values({ nodeId: n1!.id, enterpriseId: a.enterprise.id, staffUserId: users.staff1.id, visitorName: '保密来办人', visitorMobile: '13900007777', visitorIdLast4: '1234' }).returning({ id: windowCases.id });
  const [ticket] = await t.db.insert(queueTickets).values({ nodeId: n1!.id, day: '2026-09-28', number: 900, categoryCode: 'metrology', issuedAt: new Date('2026-09-28T01:00:00Z') }).returning({ id: queueTickets.id });
  const [invitation] = await t.db.insert(invitations).values({ enterpriseId: a.enterprise.id, tokenHash: 'fixture-invitation-hash', mobile: '13900008888', invitedBy: users.entA.id, expiresAt: new Date('2026-10-05T00:00:00Z') }).returning({ id: invitations.id });
  const [joinRequest] = await t.db.insert(joinRequests).values({ enterpriseId: a.enterprise.id, name: '申请人', mobile: '13900009999', passwordHash: 'x' }).returning({ id: joinRequests.id });

  // X's certificate put its instruments in entA's ledger; entA also has an import waiting for confirmation.
  const [entry] = await t.db.select({ id: instruments.id }).from(instruments).where(and(eq(instruments.enterpriseId, a.enterprise.id), eq(instruments.serialNo, SERIAL_SECRET)));
  if (!entry) throw new Error('fixture: the certificate did not reach the ledger');
  const importToken = 'fixture-import-token-0001';
  const values = { name: '一般压力表', categoryCode: 'CAL-PG', model: '', serialNo: 'IMPORT-FIXTURE-1', serialKey: 'IMPORT-FIXTURE-1', manufacturer: '', measuringRange: '', accuracyClass: '', department: '', location: '', compulsory: false, compulsoryUse: null, regime: 'periodic', periodMonths: null, status: 'in_use', lastCalibrationDate: null, certificateNo: null, conclusion: null, nextDueDate: null, dueSource: null };
  await t.db.insert(instrumentImports).values({ token: importToken, enterpriseId: a.enterprise.id, userId: users.entA.id, fileName: '台账.xlsx', rows: [{ line: 2, name: values.name, serialNo: values.serialNo, category: '一般压力表(弹性元件式)', values, errors: [] }], total: 1, valid: 1 });

  return {
    t,
    agents,
    users,
    ledger: { instrumentId: entry.id, importToken },
    anon: () => agentFor(t.app),
    companyA: a.enterprise,
    companyB: b.enterprise,
    x: { id: bx.id, number: xNumber, attachmentId: await attachmentOf(bx.id), notificationId: note!.id, nodeId: n1!.id, offeringId: offering!.id, closureId: closure!.id },
    y: { id: by.id, number: yNumber, attachmentId: await attachmentOf(by.id), nodeId: n2!.id },
    secrets: {
      booking: [a.enterprise.name, SERIAL_SECRET, 'ATTACH-SECRET-4412', '保密清单', '保密联系人'],
      staff: ['李保密', users.staff1.mobile],
      equipment: [a.enterprise.name, 'EQ-PURPOSE-SECRET-5521', '保密仪器联系人'],
    },
    eq: sharing,
    window: { caseId: windowCase!.id, ticketId: ticket!.id, invitationId: invitation!.id, joinRequestId: joinRequest!.id },
  };
}

export type LabStep = 'accept' | 'receive' | 'start' | 'submit_results' | 'verify' | 'issue_report';

/** The verifier of each world (not one of the attacking principals). */
const checkers = new WeakMap<TestApp, Agent>();

/** Takes a calibration booking at N1 through lab steps with valid input: staff1 does the work, the checker verifies, mgr1 signs. */
export async function advance(t: TestApp, agents: World['agents'], users: World['users'], number: string, steps: LabStep[]): Promise<void> {
  const items = await t.db.select({ id: bookingItems.id, nodeId: bookings.nodeId }).from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, number));
  const standard = String(await standardFor(t.db, items[0]!.nodeId));
  const fields: Record<LabStep, Record<string, string>> = {
    accept: { confirmedFee: '70.00', feeReason: '按实际器具核定' },
    receive: Object.fromEntries(items.map((it, i) => [`labels[i${it.id}]`, `JL-${number.slice(-4)}-${i}`])),
    start: { assignee: String(users.staff1.id) },
    submit_results: Object.fromEntries(
      items.flatMap((it, i) => [
        ...(i === 0 ? Object.entries(CONDITION_FIELDS) : []),
        [`cal[i${it.id}][standards]`, standard],
        [`cal[i${it.id}][conclusion]`, 'pass'],
        [`cal[i${it.id}][certificateNo]`, `JD-${number.slice(-4)}-${i}`],
        [`cal[i${it.id}][nextDueDate]`, '2027-03-01'],
        [`cal[i${it.id}][mpe]`, '±0.026'],
        [`cal[i${it.id}][unit]`, 'MPa'],
        [`cal[i${it.id}][points][0][nominal]`, '1.6'],
        [`cal[i${it.id}][points][0][measured]`, '1.61'],
      ]),
    ),
    verify: {},
    issue_report: {},
  };
  for (const step of steps) {
    const agent = step === 'verify' ? checkers.get(t)! : step === 'issue_report' ? agents.mgr1 : agents.staff1;
    const res = await labAction(agent, number, step, fields[step]);
    if (res.status !== 303) throw new Error(`fixture ${step} of ${number}: ${res.status} ${res.text.slice(0, 300)}`);
  }
}

/** A CSRF token of the agent's session (from a page every signed-in or anonymous visitor can open). */
export async function tokenOf(agent: Agent, signedIn: boolean): Promise<string> {
  return csrfFrom(agent, signedIn ? '/account/password' : '/login');
}

/** Every business table (what a request can change): stateDigest fingerprints them, the fuzzer looks for saved payloads in them. */
export const DIGEST_TABLES = [
  'attachments', 'booking_counters', 'booking_items', 'bookings', 'capacity_windows', 'closures', 'enterprises', 'evaluations',
  'events', 'node_services', 'nodes', 'notifications', 'report_revisions', 'reports', 'results', 'services', 'signatories', 'users',
  'instruments', 'instrument_imports', 'ledger_settings', 'calendar_feeds', 'outbox', 'reminders_sent', 'job_runs',
  'equipment', 'equipment_bookings', 'equipment_trainings', 'equipment_suspensions', 'sharing_rules',
  'calendar_days', 'node_service_windows', 'prices', 'booking_fees', 'invoice_requests', 'fee_rules', 'oil_limits',
  'api_keys', 'webhook_subscriptions', 'webhook_deliveries',
  'invitations', 'join_requests', 'account_tokens', 'window_cases', 'queue_tickets',
  'bundles', 'bundle_steps', 'chain_requests', 'chain_steps', 'experts', 'needs', 'need_messages',
];

/**
 * A fingerprint of everything a request could change (all business tables, row by row; not sessions or rate-limit
 * counters, which every request may touch). Equal before and after a refused request = nothing was saved.
 */
export async function stateDigest(t: TestApp): Promise<Record<string, string>> {
  // An order-independent sum of row hashes: no sort, so it stays cheap when run after every fuzzed request.
  const parts = DIGEST_TABLES.map((name) => `(SELECT count(*) || ':' || coalesce(sum(hashtext(x::text)::bigint), 0) FROM ${name} x) AS ${name}`);
  const result = (await t.db.execute(sql.raw(`SELECT ${parts.join(', ')}`))) as unknown as { rows: Record<string, string>[] };
  return result.rows[0]!;
}

/** A fingerprint of X and everything around it: its booking, items, events, files, reports, entA's messages, N1. */
export async function digestOfX(w: World): Promise<Record<string, string>> {
  const q = (from: string) => `(SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM ${from})`;
  const { id, nodeId } = w.x;
  const result = (await w.t.db.execute(
    sql.raw(`SELECT
      ${q(`bookings x WHERE id = ${id}`)} AS booking,
      ${q(`booking_items x WHERE booking_id = ${id}`)} AS items,
      ${q(`events x WHERE entity_type = 'booking' AND entity_id = '${id}'`)} AS events,
      ${q(`attachments x WHERE booking_id = ${id}`)} AS attachments,
      ${q(`reports x WHERE booking_id = ${id}`)} AS reports,
      ${q(`notifications x WHERE user_id = ${w.users.entA.id}`)} AS messages,
      ${q(`nodes x WHERE id = ${nodeId}`)} AS node,
      ${q(`node_services x WHERE node_id = ${nodeId}`)} AS offerings,
      ${q(`closures x WHERE node_id = ${nodeId}`)} AS closures,
      ${q(`users x WHERE id = ${w.users.staff1.id}`)} AS staff,
      ${q(`enterprises x WHERE id = ${w.companyA.id}`)} AS company,
      ${q(`instruments x WHERE enterprise_id = ${w.companyA.id}`)} AS ledger`),
  )) as unknown as { rows: Record<string, string>[] };
  return result.rows[0]!;
}
