import { expect } from 'chai';
import ejs from 'ejs';
import { eq, sql } from 'drizzle-orm';
import { bookingItems, bookings, enterprises, nodes, services, users } from '../../src/db/schema.js';
import { agentFor, login, type Agent } from '../support/app.js';
import { calibrationFields, nodeServiceOf, oilFields, openBookingForm, PDF, postMultipart, type Fields } from '../support/bookings.js';
import { createUser, uniqueMobile, validCreditCode } from '../support/factories.js';
import { labAction, standardFor } from '../support/lab.js';
import { freshBooking, nextSlot } from './actions.js';
import { crawlForms } from './crawl.js';
import { advance, buildWorld, tokenOf, type PrincipalKey, type World } from './fixture.js';

/*
 * The markup-injection sweep: every free-text field a user can set gets a payload that closes an attribute and opens
 * an element — `"><h1>x…</h1>` or `'"><img src=x onerror=alert(…)>` — each with its own number. The payloads must be
 * stored as typed (positive control: the test would see them if they were dropped), never come back as markup on any
 * page any role can reach, and come back escaped on the pages that show them.
 */
let seq = 0;
const payloads = new Map<string, string>();
/** A numbered payload for one field; the attribute-breaking <img> where the field is long enough. */
function payload(field: string, max: number): string {
  seq += 1;
  const img = `'"><img src=x onerror=alert(${seq})>`;
  const h1 = `"><h1>x${seq}</h1>`;
  const value = img.length <= max && seq % 2 === 0 ? img : h1;
  if (value.length > max) throw new Error(`${field}: payload longer than the field (${max})`);
  payloads.set(field, value);
  return value;
}
/** The part of a payload that only exists once per payload (the closing quote varies with the escaping). */
const coreOf = (p: string) => p.slice(p.indexOf('<'));
const RAW = ['<h1>x', '<img src=x onerror'];

/** Fields that are stored but deliberately not shown on any page (kept for search or records only). */
const NOT_SHOWN = new Set(['service.keywords']);

describe('security: markup injection in every free-text field, escaped on every page that shows it', function () {
  this.timeout(300_000);
  let w: World;
  let registered: Agent;
  let reviewedCompany: Agent;
  const extraPages = new Map<PrincipalKey | 'registered', string[]>();
  const see = (who: PrincipalKey | 'registered', ...pages: string[]) => extraPages.set(who, [...(extraPages.get(who) ?? []), ...pages]);

  async function post(agent: Agent, url: string, fields: Record<string, string | string[]>, signedIn = true) {
    const token = await tokenOf(agent, signedIn); // first: the request takes the agent's cookies when it is made
    const res = await agent.post(url).type('form').send({ _csrf: token, ...fields });
    if (res.status >= 400) throw new Error(`${url}: ${res.status} ${res.text.slice(0, 400)}`);
    return res;
  }

  before(async () => {
    w = await buildWorld();
    const { agents } = w;

    // A company signs up.
    registered = agentFor(w.t.app);
    const creditCode = validCreditCode();
    await post(
      registered,
      '/register',
      { companyName: payload('register.companyName', 100), creditCode, parkId: '', address: payload('register.address', 200), contactName: payload('register.contactName', 30), mobile: uniqueMobile(), email: '', password: 'Register-2026-ok', passwordConfirm: 'Register-2026-ok', agree: 'on' },
      false,
    );
    const [company] = await w.t.db.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.creditCode, creditCode));
    see('registered', '/account', `/enterprises/${company!.id}`);
    see('admin', '/admin/enterprises', `/admin/enterprises?q=${encodeURIComponent(creditCode)}`);

    // Bookings of every kind, with every text field of the form.
    const calPage = await openBookingForm(agents.entA, 'CAL-PG', w.x.nodeId);
    const cal = await postMultipart(
      agents.entA,
      '/bookings',
      calibrationFields(calPage, w.x.nodeId, {
        slot: nextSlot(),
        contactName: payload('booking.contactName', 30),
        remarks: payload('booking.remarks', 1000),
        'items[0][name]': payload('item.name', 60),
        'items[0][model]': payload('item.model', 60),
        'items[0][serialNo]': payload('item.serialNo', 60),
        'items[0][range]': payload('item.range', 60),
        'items[0][accuracyClass]': payload('item.accuracyClass', 30),
        'items[0][intendedUse]': payload('item.intendedUse', 60),
      }),
    );
    expect(cal.status, cal.text.slice(0, 300)).to.equal(303);
    const calNo = cal.headers.location!.split('/').pop()!;

    const oilLab = await nodeServiceOf(w.t.db, 'ZS-OILLAB', 'YP-ISO8217');
    const oilPage = await openBookingForm(agents.entA, 'YP-ISO8217', oilLab.nodeId);
    const oil = await postMultipart(agents.entA, '/bookings', oilFields(oilPage, oilLab.nodeId, { sampleName: payload('oil.sampleName', 60), sourceName: payload('oil.sourceName', 60), sealNo: payload('oil.sealNo', 40) }));
    expect(oil.status, oil.text.slice(0, 300)).to.equal(303);
    const oilNo = oil.headers.location!.split('/').pop()!;

    const centre = await nodeServiceOf(w.t.db, 'ZS-CENTRE', 'BZ-ENTSTD');
    const zxPage = await openBookingForm(agents.entA, 'BZ-ENTSTD', centre.nodeId);
    const zx: Fields = {
      _csrf: zxPage.csrf,
      service: 'BZ-ENTSTD',
      node: String(centre.nodeId),
      idempotencyKey: zxPage.key,
      slot: zxPage.slots[0],
      deliveryMode: 'on_site',
      topic: payload('consultation.topic', 80),
      description: payload('consultation.description', 2000),
      participants: '2',
      contactName: '张伟',
      contactMobile: '13900000101',
    };
    const consult = await postMultipart(agents.entA, '/bookings', zx);
    expect(consult.status, consult.text.slice(0, 300)).to.equal(303);
    const zxNo = consult.headers.location!.split('/').pop()!;
    for (const no of [calNo, oilNo, zxNo]) {
      see('entA', `/bookings/${no}`, `/bookings/${no}/receipt`);
      see('staff1', `/lab/bookings/${no}`);
      see('mgr1', `/lab/bookings/${no}`);
      see('admin', `/bookings/${no}`);
    }
    see('staff1', `/lab?q=${calNo}`, '/lab?tab=submitted');

    // The company's reasons and notes; the lab's reasons, labels, results and remarks.
    const cancelled = await freshBooking(w);
    await post(agents.entA, `/bookings/${cancelled}/cancel`, { reason: payload('cancel.reason', 500) });
    const corrected = await freshBooking(w);
    await labAction(agents.staff1, corrected, 'needs_info', { reason: payload('needs_info.reason', 500) });
    await postMultipart(agents.entA, `/bookings/${corrected}/resubmit`, { _csrf: await tokenOf(agents.entA, true), note: payload('resubmit.note', 1000) });
    const rejected = await freshBooking(w);
    expect((await labAction(agents.staff1, rejected, 'reject', { reason: payload('reject.reason', 500) })).status).to.equal(303);

    const worked = await freshBooking(w, ['accept']);
    const [item] = await w.t.db.select({ id: bookingItems.id }).from(bookingItems).innerJoin(bookings, eq(bookings.id, bookingItems.bookingId)).where(eq(bookings.number, worked));
    expect((await labAction(agents.staff1, worked, 'receive', { [`labels[i${item!.id}]`]: payload('receive.label', 40) })).status).to.equal(303);
    expect((await labAction(agents.staff1, worked, 'start', { assignee: String(w.users.staff1.id) })).status).to.equal(303);
    const standard = String(await standardFor(w.t.db, w.x.nodeId));
    const results = { 'conditions[place]': payload('results.place', 80), 'conditions[temperature]': '20.3', 'conditions[humidity]': '55', [`cal[i${item!.id}][standards]`]: standard, [`cal[i${item!.id}][conclusion]`]: 'pass', [`cal[i${item!.id}][certificateNo]`]: payload('results.certificateNo', 40), [`cal[i${item!.id}][nextDueDate]`]: '2027-03-01', [`cal[i${item!.id}][mpe]`]: '±0.026', [`cal[i${item!.id}][points][0][nominal]`]: '1.6', [`cal[i${item!.id}][points][0][measured]`]: '1.61', [`cal[i${item!.id}][unit]`]: payload('results.unit', 20), [`cal[i${item!.id}][remark]`]: payload('results.lineRemark', 300), remark: payload('results.remark', 1000) };
    const submitted = await labAction(agents.staff1, worked, 'submit_results', results);
    expect(submitted.status, submitted.text.slice(0, 300)).to.equal(303);
    expect((await labAction(agents.staff1, worked, 'retract', { reason: payload('retract.reason', 500) })).status).to.equal(303);
    expect((await labAction(agents.staff1, worked, 'submit_results', results)).status).to.equal(303);
    await advance(w.t, w.agents, w.users, worked, ['verify', 'issue_report']);
    const uploaded = await postMultipart(agents.staff1, `/lab/bookings/${worked}/upload_report_pdf`, { _csrf: await tokenOf(agents.staff1, true), reason: payload('pdf.reason', 500) }, [{ field: 'file_report_pdf', buffer: PDF, name: '签章.pdf' }]);
    expect(uploaded.status, uploaded.text.slice(0, 300)).to.equal(303);
    expect((await labAction(agents.mgr1, worked, 'discard_report_pdf', { reason: payload('pdf.discardReason', 500) })).status).to.equal(303);
    expect((await labAction(agents.staff1, worked, 'open_revision', { reason: payload('revision.reason', 500) })).status).to.equal(303);
    const revoked = await freshBooking(w, ['accept', 'receive', 'start', 'submit_results', 'verify', 'issue_report']);
    expect((await labAction(agents.mgr1, revoked, 'revoke_report', { reason: payload('revoke.reason', 500) })).status).to.equal(303);
    const evaluated = await freshBooking(w, ['accept', 'receive', 'start', 'submit_results', 'verify', 'issue_report']);
    await post(agents.entA, `/bookings/${evaluated}/complete`, {});
    await post(agents.entA, `/bookings/${evaluated}/evaluate`, { level: '4', comment: payload('evaluate.comment', 500) });
    for (const no of [cancelled, corrected, rejected, worked, revoked, evaluated]) {
      see('entA', `/bookings/${no}`);
      see('staff1', `/lab/bookings/${no}`);
      see('admin', `/bookings/${no}`, `/admin/audit?booking=${no}`);
    }
    see('entA', `/bookings/${worked}/reports/1`, `/bookings/${revoked}/reports/1`, '/notifications');
    see('staff1', '/notifications', `/lab/bookings/${worked}`);

    // The platform's and the node's own texts.
    const nodeCode = `ST-XSS-${seq}`;
    await post(agents.admin, '/admin/nodes', {
      code: nodeCode,
      name: payload('node.name', 60),
      shortName: payload('node.shortName', 20),
      kind: 'station',
      parkId: '',
      district: payload('node.district', 20),
      address: payload('node.address', 200),
      hours: payload('node.hours', 100),
      phone: '0580-2281808',
      contactName: payload('node.contactName', 30),
      description: payload('node.description', 500),
    });
    const [node] = await w.t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.code, nodeCode));
    const serviceCode = `BZ-XSS-${seq}`;
    await post(agents.admin, '/admin/services', {
      code: serviceCode,
      name: payload('service.name', 80),
      categoryCode: 'standards',
      bookingKind: 'consultation',
      summary: `服务简介：${payload('service.summary', 290)}`,
      description: payload('service.description', 2000),
      standards: payload('service.standards', 120),
      turnaroundDays: '5',
      feeBasis: payload('service.feeBasis', 200),
      requiredDocuments: payload('service.requiredDocuments', 120),
      deliveryModes: ['online'],
      instrumentCategoryCode: '',
      keywords: payload('service.keywords', 200),
    });
    const [service] = await w.t.db.select({ id: services.id }).from(services).where(eq(services.code, serviceCode));
    // the new service at the new node, so the public catalog pages show both
    await post(agents.admin, `/admin/nodes/${node!.id}/offerings`, { serviceId: String(service!.id), capacityAm: '0', capacityPm: '0', slotTimes: '09:00', slotCapacity: '1' });
    see('admin', '/admin/nodes', `/admin/nodes/${node!.id}`, `/admin/nodes/${node!.id}/edit`, '/admin/services', `/admin/services/${service!.id}/edit`, '/admin/audit');
    see('anon', '/nodes', `/nodes/${node!.id}`, '/services', `/services/${serviceCode}`, `/services?q=${encodeURIComponent(serviceCode)}`);
    see('entA', `/bookings/new?service=${serviceCode}&node=${node!.id}`);

    const staffMobile = uniqueMobile();
    await post(agents.mgr1, '/admin/users', { role: 'lab_staff', name: payload('staff.name', 30), mobile: staffMobile, email: '', nodeId: String(w.x.nodeId), parkId: '' });
    const [staff] = await w.t.db.select({ id: users.id }).from(users).where(eq(users.mobile, staffMobile));
    see('mgr1', '/admin/users', `/admin/nodes/${w.x.nodeId}/signatories`, `/lab/bookings/${w.x.number}`);
    see('admin', '/admin/users', `/admin/users?q=${staffMobile}`);
    await post(agents.mgr1, `/admin/nodes/${w.x.nodeId}/signatories`, { userId: String(staff!.id), categoryCode: '', validFrom: '2026-09-28', validUntil: '' });
    // a measurement standard as its certificate states it: shown on the node's list and offered on the results form
    await post(agents.mgr1, `/admin/nodes/${w.x.nodeId}/standards`, { name: payload('standard.name', 80), certificateNo: payload('standard.certificateNo', 60), measuringRange: payload('standard.range', 80), accuracy: payload('standard.accuracy', 80), validUntil: '2029-12-31', categoryCodes: 'CAL-PG' });
    see('mgr1', `/admin/nodes/${w.x.nodeId}/standards`);
    await post(agents.mgr1, `/admin/nodes/${w.x.nodeId}/closures`, { startDate: '2026-12-07', endDate: '2026-12-08', reason: payload('closure.reason', 200) });
    see('mgr1', `/admin/nodes/${w.x.nodeId}`);
    see('anon', `/nodes/${w.x.nodeId}`);

    const [pending] = await w.t.db.insert(enterprises).values({ name: '待复核注入测试有限公司', creditCode: validCreditCode(), creditCodeReview: 'pending', parkId: null, address: '舟山市' }).returning({ id: enterprises.id });
    const reviewed = await createUser(w.t.db, 'enterprise', { enterpriseId: pending!.id });
    await post(agents.admin, `/admin/enterprises/${pending!.id}/review`, { decision: 'rejected', note: payload('review.note', 300) });
    reviewedCompany = agentFor(w.t.app);
    await login(reviewedCompany, reviewed.mobile, reviewed.password);
  });
  after(() => w?.t.close());

  it('stored every payload as typed (positive control: a dropped or mangled payload would be caught here)', async () => {
    const tables = ['enterprises', 'users', 'bookings', 'booking_items', 'events', 'notifications', 'nodes', 'services', 'closures', 'evaluations', 'results', 'reports', 'report_revisions'];
    const missing: string[] = [];
    for (const [field, value] of payloads) {
      const query = tables.map((t) => `SELECT 1 FROM ${t} x WHERE strpos(x::text, $$${coreOf(value)}$$) > 0`).join(' UNION ALL ');
      const found = (await w.t.db.execute(sql.raw(`SELECT EXISTS (${query}) AS found`))) as unknown as { rows: { found: boolean }[] };
      if (!found.rows[0]!.found) missing.push(field);
    }
    expect(missing, 'payloads not stored').to.deep.equal([]);
    expect(payloads.size).to.be.greaterThan(40);
  });

  it('never renders a payload as markup on any page any role reaches, and shows each one escaped somewhere', async () => {
    const agents: [string, Agent, string[]][] = [
      ['anon', w.anon(), ['/', '/services', '/nodes', ...(extraPages.get('anon') ?? [])]],
      ['registered', registered, ['/', '/bookings', ...(extraPages.get('registered') ?? [])]],
      ['reviewed company', reviewedCompany, ['/notifications', '/account']],
      ...(['entA', 'entB', 'staff1', 'mgr1', 'park1', 'admin'] as const).map((p): [string, Agent, string[]] => [
        p,
        w.agents[p],
        [...({ entA: ['/bookings', '/notifications'], entB: ['/bookings'], staff1: ['/lab', '/lab?tab=submitted', '/lab?tab=done'], mgr1: ['/admin', '/admin/users', '/lab'], park1: ['/admin?period=year'], admin: ['/admin?period=year', '/admin/audit', '/admin/users', '/admin/enterprises'] } as Record<string, string[]>)[p]!, ...(extraPages.get(p) ?? [])],
      ]),
    ];
    const problems: string[] = [];
    const shown = new Map<string, string>();
    let pagesSeen = 0;
    for (const [who, agent, start] of agents) {
      // every page the role can reach from its usual pages (the explicit ones first, so the budget never skips them)
      await crawlForms(agent, [...new Set(start)], Math.max(60, start.length + 20), (page, res) => {
        pagesSeen++;
        for (const raw of RAW) if (res.text.includes(raw)) problems.push(`${who} GET ${page}: rendered as markup: …${res.text.slice(Math.max(0, res.text.indexOf(raw) - 60), res.text.indexOf(raw) + 30)}…`);
        for (const [field, value] of payloads) if (!shown.has(field) && res.text.includes(ejs.escapeXML(coreOf(value)))) shown.set(field, `${who} ${page}`);
      });
    }
    expect(problems, problems.slice(0, 15).join('\n')).to.deep.equal([]);
    const neverShown = [...payloads.keys()].filter((f) => !shown.has(f) && !NOT_SHOWN.has(f));
    expect(neverShown, `escaped payloads not found on any page (${pagesSeen} pages)`).to.deep.equal([]);
  });
});
