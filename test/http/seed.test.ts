import { expect } from 'chai';
import ejs from 'ejs';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../src/db/client.js';
import { runSeed } from '../../src/seed/index.js';
import { rollupDrift } from '../../src/stats/rollup.repo.js';
import { DEMO_PASSWORD } from '../../src/seed/demo.js';
import { bookings, enterprises, events, nodes, nodeServiceWindows, reports, services, users } from '../../src/db/schema.js';
import { BOOKING_STATUSES } from '../../src/bookings/lifecycle.js';
import { EQUIPMENT_BOOKING_STATUSES } from '../../src/equipment/lifecycle.js';
import { agentFor, createTestApp, login } from '../support/app.js';
import { createTestDatabase, onPostgresServer } from '../support/db.js';
import { assertForeignKeysHold } from '../../src/seed/bulk-load.js';
import { findBookingByNumber } from '../../src/bookings/bookings.repo.js';
import { buildContent, type ReportContent } from '../../src/reports/content.js';

/** A report that is not one of the whole-chain requests' (SQL over `reports`). */
const NOT_CHAIN = 'booking_id NOT IN (SELECT booking_id FROM chain_steps WHERE booking_id IS NOT NULL)';

describe('seed', function () {
  // the demo seed runs a year of history, the ledgers, equipment, chains and needs: minutes on a busy machine
  this.timeout(180_000);
  it('builds the 1+N network and catalog from the domain facts, idempotently, without accounts when not in demo mode', async () => {
    const database = await createTestDatabase();
    try {
      await runSeed(database.db, { demo: false });
      const counts = async () => ({
        nodes: await database.db.$count(nodes),
        services: await database.db.$count(services),
        users: await database.db.$count(users),
        windows: await database.db.$count(nodeServiceWindows),
      });
      const first = await counts();
      expect(first.nodes).to.equal(8);
      expect(first.services).to.equal(47 + 5 + 10);
      expect(first.users).to.equal(0);
      // the oil lab's 7×24 reception: a day and a night window on each of the 7 days, for each of its 5 oil services
      expect(first.windows).to.equal(5 * 7 * 2);
      const nights = rowsOf<{ n: number }>(await database.db.execute(sql.raw(`SELECT count(*)::int AS n FROM node_service_windows WHERE code = '20:00-08:00' AND on_holidays`)));
      expect(nights[0]!.n).to.equal(5 * 7);
      await runSeed(database.db, { demo: false });
      expect(await counts()).to.deep.equal(first);
    } finally {
      await database.close();
    }
  });

  it('demo mode adds an account per role and a consistent history in every state', async function () {
    // The whole demo seed (history, ledger, equipment, calendar) on a fresh database: a minute on a loaded 2-core CI box.
    this.timeout(180_000);
    const database = await createTestDatabase();
    const now = new Date('2026-11-20T10:00:00+08:00');
    try {
      // as the server seeds: a bulk load on the embedded database (foreign keys checked afterwards, the rollup rebuilt)
      await runSeed(database.db, { demo: true, now, bulkLoad: !onPostgresServer });
      const q = async <T>(text: string) => rowsOf<T>(await database.db.execute(sql.raw(text)));
      const statuses = (await q<{ status: string }>('SELECT DISTINCT status FROM bookings')).map((r) => r.status).sort();
      expect(statuses).to.deep.equal([...BOOKING_STATUSES].sort());
      const roles = (await q<{ role: string }>('SELECT DISTINCT role FROM users')).map((r) => r.role).sort();
      expect(roles).to.deep.equal(['enterprise', 'expert', 'lab_staff', 'node_manager', 'park_admin', 'platform_admin']);
      // capacity used = units of the bookings that hold it, and never above capacity
      const [bad] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM capacity_windows w
        WHERE w.used > w.capacity OR w.used <> (SELECT coalesce(sum(units), 0) FROM bookings b WHERE b.window_id = w.id AND b.status NOT IN ('cancelled','rejected'))`);
      expect(bad!.n).to.equal(0);
      // every booking has its first event; every reported one a valid report; numbers are unique
      const [noEvent] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.entity_type = 'booking' AND e.entity_id = b.id::text AND e.action = 'booking.submitted')`);
      expect(noEvent!.n).to.equal(0);
      // every booking past acceptance shows its acceptance (and due date) on the timeline — chain steps settled by the
      // seed included — and every completed one its completion
      const [unaccepted] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM bookings b WHERE b.status IN ('accepted','received','in_progress','to_verify','verified','reported','completed')
        AND (b.due_date IS NULL OR NOT EXISTS (SELECT 1 FROM events e WHERE e.entity_type = 'booking' AND e.entity_id = b.id::text AND e.action = 'booking.accept'))`);
      expect(unaccepted!.n).to.equal(0);
      const [uncompleted] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM bookings b WHERE b.status = 'completed'
        AND NOT EXISTS (SELECT 1 FROM events e WHERE e.entity_type = 'booking' AND e.entity_id = b.id::text AND e.action = 'booking.complete')`);
      expect(uncompleted!.n).to.equal(0);
      // the lab accepts before it receives the instruments or samples at the booked window (the timeline reads in order)
      const [receivedFirst] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM events a JOIN events r ON r.entity_type = 'booking' AND r.entity_id = a.entity_id AND r.action = 'booking.receive'
        WHERE a.entity_type = 'booking' AND a.action = 'booking.accept' AND a.at > r.at`);
      expect(receivedFirst!.n).to.equal(0);
      // report numbers follow the order of issue within each prefix and year
      const [outOfOrder] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM reports x JOIN reports y ON split_part(x.number, '-', 3) = split_part(y.number, '-', 3)
        AND split_part(x.number, '-', 2) = split_part(y.number, '-', 2) AND x.number < y.number AND x.issued_at > y.issued_at`);
      expect(outOfOrder!.n).to.equal(0);
      const [noReport] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM bookings b WHERE b.status IN ('reported','completed') AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.booking_id = b.id)`);
      expect(noReport!.n).to.equal(0);
      // the dashboards' rollup holds exactly what the bulk-inserted history gives (kept by the triggers on bookings)
      expect(await rollupDrift(database.db)).to.deep.equal([]);
      const [rolled] = await q<{ n: number }>(`SELECT coalesce(sum(n), 0)::int AS n FROM booking_stats WHERE grain = 'd'`);
      const [all] = await q<{ n: number }>('SELECT count(*)::int AS n FROM bookings');
      expect(rolled!.n).to.equal(all!.n).and.to.be.greaterThan(100);
      expect(await database.db.$count(bookings)).to.be.greaterThan(500);
      // the window: admins, duty, a company registered there with window bookings and no account yet, queue tickets
      const [win] = await q<{ admins: number; duty: number; window: number; unowned: number; tickets: number }>(`SELECT
          (SELECT count(*)::int FROM users WHERE company_admin) AS admins,
          (SELECT count(*)::int FROM users WHERE window_duty) AS duty,
          (SELECT count(*)::int FROM bookings WHERE channel = 'window' AND window_case_id IS NOT NULL) AS window,
          (SELECT count(*)::int FROM enterprises e WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.enterprise_id = e.id)) AS unowned,
          (SELECT count(*)::int FROM queue_tickets) AS tickets`);
      expect(win!.duty).to.equal(2);
      expect(win!.window).to.equal(3);
      expect(win!.unowned).to.equal(1);
      expect(win!.tickets).to.be.greaterThan(20);
      expect(win!.admins).to.be.greaterThan(4);
      // every demo company keeps an instrument ledger: some 强检, some overdue or due soon, some from the history's certificates
      const ledgers = await q<{ name: string; n: number; compulsory: number; overdue: number; soon: number; linked: number }>(`SELECT e.name, count(*)::int AS n,
          count(*) FILTER (WHERE i.compulsory)::int AS compulsory,
          count(*) FILTER (WHERE i.status = 'in_use' AND i.next_due_date < '2026-11-20')::int AS overdue,
          count(*) FILTER (WHERE i.status = 'in_use' AND i.next_due_date BETWEEN '2026-11-20' AND '2026-12-20')::int AS soon,
          count(*) FILTER (WHERE i.report_booking_id IS NOT NULL)::int AS linked
        FROM instruments i JOIN enterprises e ON e.id = i.enterprise_id GROUP BY e.name`);
      for (const name of ['舟山海星船舶修造有限公司', '浙江鱼山石化储运有限公司', '舟山港航保税燃料供应有限公司', '普陀东港水产食品有限公司']) {
        const l = ledgers.find((x) => x.name === name)!;
        expect(l.n, name).to.be.at.least(20);
        expect(l.compulsory * l.overdue * l.soon * l.linked, `${name}: 强检, overdue, due soon and linked entries`).to.be.greaterThan(0);
      }
      // open sharing: about thirty instruments with a season of bookings in every state, never overlapping
      const equipmentStates = (await q<{ status: string }>(`SELECT DISTINCT status FROM equipment_bookings WHERE kind = 'booking'`)).map((r) => r.status).sort();
      expect(equipmentStates).to.deep.equal([...EQUIPMENT_BOOKING_STATUSES].sort());
      const [instruments] = await q<{ n: number }>('SELECT count(*)::int AS n FROM equipment');
      expect(instruments!.n).to.be.within(28, 40);
      const [overlapping] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM equipment_bookings x JOIN equipment_bookings y ON x.id < y.id AND x.equipment_id = y.equipment_id
        AND tstzrange(x.starts_at, x.ends_at) && tstzrange(y.starts_at, y.ends_at)
        WHERE x.status IN ('requested','approved','checked_in','checked_out') AND y.status IN ('requested','approved','checked_in','checked_out')`);
      expect(overlapping!.n).to.equal(0);
      const [latest] = await q<{ max: Date }>('SELECT max(created_at) AS max FROM bookings');
      expect(new Date(latest!.max).getTime()).to.be.at.most(now.getTime());

      // running it again changes nothing
      const before = { bookings: await database.db.$count(bookings), events: await database.db.$count(events), enterprises: await database.db.$count(enterprises), reports: await database.db.$count(reports) };
      await runSeed(database.db, { demo: true, now });
      expect({ bookings: await database.db.$count(bookings), events: await database.db.$count(events), enterprises: await database.db.$count(enterprises), reports: await database.db.$count(reports) }).to.deep.equal(before);

      // the demo accounts log in, and a seeded report verifies
      const t = await createTestApp({ database });
      const agent = agentFor(t.app);
      await login(agent, '13900000001', DEMO_PASSWORD);
      expect((await agent.get('/admin')).status).to.equal(200);
      // a history report and every report of the whole-chain requests verify, naming the company (masked) and the date
      const checked = await q<{ number: string; verification_code: string }>(
        `(SELECT number, verification_code FROM reports WHERE status = 'valid' AND ${NOT_CHAIN} LIMIT 1) UNION ALL (SELECT number, verification_code FROM reports WHERE NOT ${NOT_CHAIN})`,
      );
      expect(checked.length, 'a history report and the chains’ reports').to.be.greaterThan(2);
      for (const report of checked) {
        const verified = await agentFor(t.app).get(`/verify?no=${report.number}&code=${report.verification_code}`);
        expect(verified.status, report.number).to.equal(200);
        expect(verified.text, report.number).to.contain('有效').and.not.contain('待签发');
      }
      // a history report prints what a report issued by the lab prints: the standards, the day of the results and, for
      // oil, each line with its method — the same as buildContent lays out from the stored booking
      for (const kind of ['oil_test', 'calibration']) {
        const [r] = await q<{ number: string; version: number; content: ReportContent; tester_id: number; verifier_id: number; approver_id: number }>(
          `SELECT b.number, r.version, r.content, r.tester_id, r.verifier_id, r.approver_id FROM reports r JOIN bookings b ON b.id = r.booking_id
            WHERE b.kind = '${kind}' AND ${NOT_CHAIN} ORDER BY r.id LIMIT 1`,
        );
        const booking = (await findBookingByNumber(database.db, r!.number))!;
        const built = await buildContent(database.db, { booking, version: r!.version, signers: { testerId: r!.tester_id, verifierId: r!.verifier_id, approverId: r!.approver_id }, conclusion: r!.content.conclusion, remark: null, receivedAt: null, itemNames: {}, now });
        expect(r!.content.standards, kind).to.deep.equal(built.standards).and.not.be.empty;
        expect(r!.content.resultsAt, kind).to.equal(built.resultsAt).and.be.a('string');
        expect(r!.content.oilSamples, kind).to.deep.equal(built.oilSamples);
        if (kind === 'oil_test') expect(r!.content.oilSamples![0]!.lines.every((l) => l.method !== '—'), 'every oil line names its method').to.equal(true);
      }
      // the verification page shows an oil report's figures, to be compared with the paper line by line
      const [oil] = await q<{ number: string; verification_code: string; content: ReportContent }>(
        `SELECT r.number, r.verification_code, r.content FROM reports r JOIN bookings b ON b.id = r.booking_id WHERE b.kind = 'oil_test' AND r.status = 'valid' ORDER BY r.id LIMIT 1`,
      );
      const figures = await agentFor(t.app).get(`/verify?no=${oil!.number}&code=${oil!.verification_code}`);
      const sample = oil!.content.oilSamples![0]!;
      expect(figures.text).to.contain('报告数据').and.contain(ejs.escapeXML(sample.sampleName));
      for (const line of sample.lines) expect(figures.text, line.name).to.contain(`<td class="font-monospace">${ejs.escapeXML(line.value)}</td>`);
      // oil results read like a lab's: judged by their value against the printed limit, text where a lab writes text,
      // the low-temperature properties in their physical order (pour ≤ cold filter plugging ≤ cloud point)
      const lines = await q<{ booking_id: number; code: string; value_text: string; value_number: number | null; limit_text: string | null; judgement: string }>(
        `SELECT booking_id, test_item_code AS code, value_text, value_number, limit_text, judgement FROM results WHERE test_item_code IS NOT NULL`,
      );
      expect(lines.length).to.be.greaterThan(200);
      for (const l of lines) {
        const m = /^(?:(≤|≥) (-?[\d.]+)|(-?[\d.]+) – (-?[\d.]+))/.exec(l.limit_text ?? '');
        // lubricity on a fuel with 500 mg/kg of sulphur or more: its limit does not apply, so it is reported, not judged
        if (l.judgement === 'not_applicable') {
          expect(l.code).to.equal('OIL-LUB');
          const s = lines.find((x) => x.booking_id === l.booking_id && x.code === 'OIL-S-PCT');
          expect(Number(s?.value_number), 'sulphur of a sample whose lubricity is not judged').to.be.at.least(0.05);
        } else if (m && l.value_number !== null) {
          const v = Number(l.value_number);
          const inside = m[1] === '≤' ? v <= Number(m[2]) : m[1] === '≥' ? v >= Number(m[2]) : v >= Number(m[3]) && v <= Number(m[4]);
          expect(l.judgement, `${l.code} ${l.value_text} against ${l.limit_text}`).to.equal(inside ? 'pass' : 'fail');
        }
        if (l.code === 'OIL-APPEAR') expect(l.value_text).to.equal('清澈透亮');
        if (l.code === 'OIL-FAME' && (l.limit_text ?? '').includes('极微量')) expect(l.value_text).to.equal('< 0.1');
      }
      const bySample = new Map<number, Map<string, number>>();
      for (const l of lines) if (l.value_number !== null) bySample.set(l.booking_id, (bySample.get(l.booking_id) ?? new Map()).set(l.code, Number(l.value_number)));
      for (const [id, v] of bySample) {
        const order = ['OIL-POUR', 'OIL-CFPP', 'OIL-CLOUD'].map((c) => v.get(c)).filter((x): x is number => x !== undefined);
        expect(order, `booking ${id}: pour ≤ CFPP ≤ cloud point`).to.deep.equal([...order].sort((a, b) => a - b));
      }
      // certificates of the common instruments carry their data: readings = nominal + error, an uncertainty on calibrations
      const cal = await q<{ conclusion: string; points: { nominal: number; measured: number; error: number; mpe: number; uncertainty: string | null }[] }>(
        `SELECT conclusion, points FROM results WHERE test_item_code IS NULL AND points IS NOT NULL`,
      );
      expect(cal.length).to.be.greaterThan(20);
      // certificate numbers: unique, every calibration line has one, and they run with the reports' dates within a year
      const [certs] = await q<{ lines: number; numbered: number; distinct: number; backwards: number }>(`SELECT
          (SELECT count(*)::int FROM results WHERE test_item_code IS NULL AND conclusion IS NOT NULL) AS lines,
          (SELECT count(*)::int FROM results WHERE test_item_code IS NULL AND conclusion IS NOT NULL AND certificate_no IS NOT NULL) AS numbered,
          (SELECT count(DISTINCT certificate_no)::int FROM results WHERE certificate_no IS NOT NULL) AS distinct,
          (SELECT count(*)::int FROM results x JOIN reports rx ON rx.booking_id = x.booking_id JOIN results y ON y.certificate_no > x.certificate_no
             AND left(y.certificate_no, 7) = left(x.certificate_no, 7) JOIN reports ry ON ry.booking_id = y.booking_id
             WHERE x.certificate_no IS NOT NULL AND ry.issued_at < rx.issued_at - interval '1 day') AS backwards`);
      expect(certs).to.deep.equal({ lines: certs!.lines, numbered: certs!.lines, distinct: certs!.numbered, backwards: 0 });
      for (const r of cal) {
        for (const p of r.points) expect(p.measured).to.be.closeTo(p.nominal + p.error, 1e-9);
        expect(r.points.every((p) => !!p.uncertainty), r.conclusion).to.equal(r.conclusion === 'calibrated');
        // the conclusion follows from the data, as the lab's own rule asks: 合格 within the MPE, 不合格 beyond it somewhere
        const beyond = r.points.some((p) => Math.abs(p.error) > p.mpe + 1e-9);
        if (r.conclusion === 'pass') expect(beyond, 'a 合格 certificate within the MPE').to.equal(false);
        if (r.conclusion === 'fail') expect(beyond, 'a 不合格 certificate names a point beyond the MPE').to.equal(true);
      }
      // a service with only 校准规范 issues 校准证书 only; a 强检 instrument is never only calibrated
      const [mismatch] = await q<{ jjfVerified: number; compulsoryCalibrated: number }>(`SELECT
          (SELECT count(*)::int FROM results r JOIN bookings b ON b.id = r.booking_id JOIN services s ON s.id = b.service_id
             WHERE r.conclusion IN ('pass', 'fail') AND NOT EXISTS (SELECT 1 FROM unnest(s.standards) d WHERE d ILIKE 'JJG%')
               AND EXISTS (SELECT 1 FROM unnest(s.standards) d WHERE d ILIKE 'JJF%')) AS "jjfVerified",
          (SELECT count(*)::int FROM results r JOIN booking_items i ON i.id = r.booking_item_id WHERE r.conclusion = 'calibrated' AND i.compulsory) AS "compulsoryCalibrated"`);
      expect(mismatch).to.deep.equal({ jjfVerified: 0, compulsoryCalibrated: 0 });
      // every certificate names a measurement standard of its node in date, the place and the environment; the frozen
      // report content carries them too
      const [traced] = await q<{ lines: number; withStandards: number; outOfDate: number; inReports: number; reportLines: number }>(`SELECT
          (SELECT count(*)::int FROM results WHERE test_item_code IS NULL AND conclusion IS NOT NULL) AS lines,
          (SELECT count(*)::int FROM results WHERE test_item_code IS NULL AND conclusion IS NOT NULL AND jsonb_array_length(conditions->'standards') > 0
             AND conditions->>'place' <> '' AND (conditions->>'temperature')::numeric BETWEEN 15 AND 25 AND (conditions->>'humidity')::numeric BETWEEN 30 AND 80) AS "withStandards",
          (SELECT count(*)::int FROM results r JOIN reports p ON p.booking_id = r.booking_id AND p.version = r.version, jsonb_array_elements(r.conditions->'standards') st
             WHERE (st->>'validUntil')::date < (p.issued_at AT TIME ZONE 'Asia/Shanghai')::date) AS "outOfDate",
          (SELECT count(*)::int FROM reports p, jsonb_array_elements(p.content->'results') x WHERE x->>'conclusion' IS NOT NULL AND jsonb_array_length(x->'conditions'->'standards') > 0) AS "inReports",
          (SELECT count(*)::int FROM reports p, jsonb_array_elements(p.content->'results') x WHERE x->>'conclusion' IS NOT NULL) AS "reportLines"`);
      expect(traced!.lines).to.be.greaterThan(50);
      expect(traced).to.deep.equal({ lines: traced!.lines, withStandards: traced!.lines, outOfDate: 0, inReports: traced!.reportLines, reportLines: traced!.reportLines });
      // every booking has its fee: estimated, confirmed at acceptance, paid (or waived when free) once reported
      const [fees] = await q<{ missing: number; unconfirmed: number; unpaid: number; paid: number }>(`SELECT
          (SELECT count(*)::int FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM booking_fees f WHERE f.booking_id = b.id)) AS missing,
          (SELECT count(*)::int FROM bookings b JOIN booking_fees f ON f.booking_id = b.id WHERE b.accepted_at IS NOT NULL AND f.confirmed_cents IS NULL) AS unconfirmed,
          (SELECT count(*)::int FROM bookings b JOIN booking_fees f ON f.booking_id = b.id WHERE b.status IN ('reported', 'completed') AND f.payment_status = 'unpaid') AS unpaid,
          (SELECT count(*)::int FROM booking_fees WHERE payment_status = 'paid' AND paid_cents > 0 AND paid_cents = confirmed_cents) AS paid`);
      expect(fees).to.include({ missing: 0, unconfirmed: 0, unpaid: 0 });
      expect(fees!.paid).to.be.greaterThan(100);
      const failed = lines.filter((l) => l.judgement === 'fail').length;
      expect(failed, 'a few samples off specification, most within').to.be.within(1, lines.length / 20);
      const [blank] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM reports WHERE NOT ${NOT_CHAIN} AND (issued_at IS NULL OR content->'booking'->>'enterpriseName' IS NULL OR content->'booking'->>'nodeName' IS NULL OR tester_id = approver_id)`);
      // issued by the lab's code, they are numbered in their service's series of the year like every other report
      const chainNumbers = await q<{ number: string; prefix: string }>(`SELECT r.number, left(b.number, 2) AS prefix FROM reports r JOIN bookings b ON b.id = r.booking_id WHERE NOT ${NOT_CHAIN}`);
      for (const c of chainNumbers) expect(c.number).to.match(new RegExp(`^NQI-\\d{4}-${c.prefix}-\\d{6}$`));
      const [duplicates] = await q<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT number FROM reports GROUP BY number HAVING count(*) > 1) d');
      expect(duplicates!.n).to.equal(0);
      expect(blank!.n, 'chain reports issued, with the company, the node and three signers').to.equal(0);
      await t.close();
    } finally {
      await database.close().catch(() => undefined);
    }
  });

  it('a bulk load finds a row whose parent is missing, though the per-row checks were off while it was written', async () => {
    const database = await createTestDatabase();
    try {
      await assertForeignKeysHold(database.db);
      await database.db.transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL session_replication_role = replica`);
        await tx.execute(sql`INSERT INTO node_services (node_id, service_id) SELECT 999999, min(id) FROM services`);
      });
      let refused: unknown;
      await assertForeignKeysHold(database.db).catch((err: unknown) => (refused = err));
      const error = refused as Error & { cause?: Error };
      expect(error, 'the check refuses').to.be.instanceOf(Error);
      expect(error.cause?.message ?? error.message).to.match(/foreign key node_services_node_id\S* of node_services broken by 1 row/);
    } finally {
      await database.close();
    }
  });
});
