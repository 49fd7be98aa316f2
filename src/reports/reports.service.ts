import { randomBytes, randomInt } from 'node:crypto';
import { assertCan, type Principal } from '../auth/access.js';
import { recordEvent } from '../events/record.js';
import { findBookingByNumber, itemsOf, lockBooking, nextDailySequence, type BookingView } from '../bookings/bookings.repo.js';
import type { Db, Executor, Tx } from '../db/client.js';
import { users } from '../db/schema.js';
import { notifyEnterpriseUsers } from '../notifications/notifications.repo.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { formatDate, shanghaiDate, type Clock } from '../shared/time.js';
import type { FileStorage } from '../uploads/storage.js';
import { inArray } from 'drizzle-orm';
import { resultsOf } from '../lab/lab.repo.js';
import * as repo from './reports.repo.js';
import { CONCLUSION_LABELS, REPORT_STATUS_LABELS } from './reports.view.js';


const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no I, O, 0, 1: read off paper without mistakes

export function newVerificationCode(): string {
  return Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

/** "舟山海星船舶修造有限公司" → "舟山海星****有限公司": enough to recognise, not to harvest. */
export function maskCompanyName(name: string): string {
  const chars = [...name];
  if (chars.length <= 4) return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
  if (chars.length < 10) return chars.slice(0, 2).join('') + '***' + chars.slice(-2).join('');
  return chars.slice(0, 4).join('') + '****' + chars.slice(-4).join('');
}

export interface ReportContent {
  title: string;
  booking: {
    number: string;
    kind: string;
    serviceCode: string;
    serviceName: string;
    categoryName: string;
    nodeName: string;
    nodeAddress: string;
    nodePhone: string;
    enterpriseName: string;
    creditCode: string;
    date: string;
    window: string;
    receivedAt: string | null;
  };
  items: Record<string, unknown>[];
  results: Record<string, unknown>[];
  itemNames: Record<string, string>;
  conclusion: string;
  remark: string | null;
  signers: { tester: string | null; verifier: string | null; approver: string };
  issuedAt: string;
}

const TITLES: Record<string, string> = { calibration: '检定 / 校准证书', oil_test: '检测报告', consultation: '咨询服务记录' };

async function namesOf(ex: Executor, ids: (number | null)[]): Promise<Map<number, string>> {
  const wanted = ids.filter((x): x is number => x !== null);
  if (!wanted.length) return new Map();
  const rows = await ex.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, wanted));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Everything the report prints, read now and frozen into the report row. */
async function buildContent(ex: Executor, booking: BookingView, approverId: number, itemNames: Record<string, string>, now: Date): Promise<ReportContent> {
  // sequential on purpose: inside a transaction there is one connection
  const items = await itemsOf(ex, booking.id);
  const results = await resultsOf(ex, booking.id);
  const locked = await lockBooking(ex, booking.id);
  const names = await namesOf(ex, [locked!.resultsBy, locked!.verifiedBy, approverId]);
  return {
    title: TITLES[booking.kind] ?? '报告',
    booking: {
      number: booking.number,
      kind: booking.kind,
      serviceCode: booking.serviceCode,
      serviceName: booking.serviceName,
      categoryName: booking.categoryName,
      nodeName: booking.nodeName,
      nodeAddress: booking.nodeAddress,
      nodePhone: booking.nodePhone,
      enterpriseName: booking.enterpriseName,
      creditCode: booking.enterpriseCreditCode,
      date: booking.date,
      window: booking.window,
      receivedAt: locked!.receivedAt ? locked!.receivedAt.toISOString() : null,
    },
    items: items as unknown as Record<string, unknown>[],
    results: results as unknown as Record<string, unknown>[],
    itemNames,
    conclusion: locked!.conclusion ?? 'info',
    remark: locked!.conclusionRemark,
    signers: {
      tester: locked!.resultsBy ? (names.get(locked!.resultsBy) ?? null) : null,
      verifier: locked!.verifiedBy ? (names.get(locked!.verifiedBy) ?? null) : null,
      approver: names.get(approverId) ?? '',
    },
    issuedAt: now.toISOString(),
  };
}

export function makeReportsService(deps: { db: Db; clock: Clock; storage: FileStorage }) {
  const { db, clock, storage } = deps;

  async function view(user: Principal, bookingNumber: string, version: number) {
    const booking = await findBookingByNumber(db, bookingNumber);
    if (!booking) throw new NotFoundError();
    assertCan(user, 'booking.read', { enterpriseId: booking.enterpriseId, nodeId: booking.nodeId, parkId: booking.parkId });
    const found = await repo.findReportVersion(db, booking.id, version);
    if (!found) throw new NotFoundError('该报告不存在。');
    return { booking, report: found.report, pdf: found.pdf, content: found.report.content as ReportContent };
  }

  /** A new valid version of a booking's report from its current results, signed by `approverId`. */
  async function insertVersion(tx: Tx, booking: BookingView, approverId: number, itemNames: Record<string, string>, version: { number: string; version: number; revisionReason?: string }) {
    const now = clock.now();
    const content = await buildContent(tx, booking, approverId, itemNames, now);
    const signed = await lockBooking(tx, booking.id);
    return repo.insertReport(tx, {
      bookingId: booking.id,
      ...version,
      verificationCode: newVerificationCode(),
      verifyToken: randomBytes(24).toString('base64url'),
      status: 'valid',
      conclusion: content.conclusion,
      content,
      testerId: signed!.resultsBy,
      verifierId: signed!.verifiedBy,
      approverId,
      issuedAt: now,
    });
  }

  return {
    /** Issues version 1 of a booking's report inside the caller's transaction (the issue_report transition). */
    async issue(tx: Tx, booking: BookingView, approver: Principal, prefix: string, itemNames: Record<string, string>) {
      const year = shanghaiDate(clock.now()).slice(0, 4);
      const sequence = await nextDailySequence(tx, `R-${prefix}`, `${year}-01-01`);
      return insertVersion(tx, booking, approver.id, itemNames, { number: `NQI-${year}-${prefix}-${String(sequence).padStart(6, '0')}`, version: 1 });
    },

    /**
     * A corrected report: a new version with the current results; the previous version turns 已替换 and stays
     * verifiable as such. Runs in the caller's transaction (after the corrected results are written).
     */
    async revise(tx: Tx, booking: BookingView, actor: Principal, reason: string, itemNames: Record<string, string>) {
      const current = await repo.currentReport(tx, booking.id);
      if (!current) throw new ConflictError('该预约尚未出具报告。');
      if (current.status === 'revoked') throw new ConflictError('报告已撤销，不能更正。');
      const next = await insertVersion(tx, booking, actor.id, itemNames, { number: current.number, version: current.version + 1, revisionReason: reason });
      await repo.updateReport(tx, current.id, { status: 'replaced', replacedById: next.id });
      await recordEvent(tx, {
        actorUserId: actor.id,
        entityType: 'booking',
        entityId: booking.id,
        action: 'report.revised',
        note: `报告 ${current.number} 第 ${current.version} 版 → 第 ${next.version} 版：${reason}`,
        data: { reportNumber: current.number, from: current.version, to: next.version },
      });
      await notifyEnterpriseUsers(tx, booking.enterpriseId, {
        bookingId: booking.id,
        title: `${booking.number} 报告已更正`,
        body: `报告 ${current.number} 已更正为第 ${next.version} 版，原版本已替换。更正原因：${reason}`,
        link: `/bookings/${booking.number}`,
      });
      return next;
    },

    async revoke(tx: Tx, booking: BookingView, actor: Principal, reason: string) {
      const current = await repo.currentReport(tx, booking.id);
      if (!current) throw new ConflictError('该预约尚未出具报告。');
      if (current.status !== 'valid') throw new ConflictError(`报告当前状态为“${REPORT_STATUS_LABELS[current.status]}”，不能撤销。`);
      await repo.updateReport(tx, current.id, { status: 'revoked', revokedReason: reason, revokedAt: clock.now(), revokedBy: actor.id });
      await recordEvent(tx, {
        actorUserId: actor.id,
        entityType: 'booking',
        entityId: booking.id,
        action: 'report.revoked',
        note: `报告 ${current.number} 第 ${current.version} 版已撤销：${reason}`,
        data: { reportNumber: current.number, version: current.version },
      });
      await notifyEnterpriseUsers(tx, booking.enterpriseId, {
        bookingId: booking.id,
        title: `${booking.number} 报告已撤销`,
        body: `报告 ${current.number} 已撤销，原因：${reason}。如有疑问请联系 ${booking.nodeName}（${booking.nodePhone}）。`,
        link: `/bookings/${booking.number}`,
      });
    },

    /** The report as printed (A4), for anyone who may read the booking. */
    view,

    async pdfFile(user: Principal, bookingNumber: string, version: number) {
      const { report, pdf } = await view(user, bookingNumber, version);
      if (!pdf?.id) throw new NotFoundError('该报告没有上传签章 PDF。');
      return { name: `${report.number}-v${report.version}.pdf`, path: storage.pathOf(pdf.storedName!), mimeType: pdf.mimeType! };
    },

    /**
     * Public verification by number + code or by the QR token. Unknown numbers and wrong codes give the same
     * "not found"; a found report shows only summary fields with the company name masked.
     */
    async verify(query: { number?: string; code?: string; token?: string }) {
      let report: repo.ReportRow | undefined;
      if (query.token) report = await repo.findByToken(db, query.token);
      else if (query.number && query.code) report = await repo.findByNumberAndCode(db, query.number.trim().toUpperCase(), query.code.trim().toUpperCase());
      if (!report) return undefined;
      const content = report.content as ReportContent;
      const versions = await repo.versionsOfNumber(db, report.number);
      const latest = versions[versions.length - 1]!;
      return {
        number: report.number,
        version: report.version,
        status: report.status,
        statusLabel: REPORT_STATUS_LABELS[report.status],
        latestVersion: latest.version,
        issuer: `${content.booking.nodeName}（舟山市质量基础设施一站式服务平台）`,
        company: maskCompanyName(content.booking.enterpriseName),
        item: content.booking.serviceName,
        title: content.title,
        issuedOn: formatDate(report.issuedAt),
        conclusion: CONCLUSION_LABELS[report.conclusion] ?? report.conclusion,
        revokedReason: report.status === 'revoked' ? report.revokedReason : null,
        revokedOn: report.revokedAt ? formatDate(report.revokedAt) : null,
      };
    },
  };
}

export type ReportsService = ReturnType<typeof makeReportsService>;
