import { randomBytes, randomInt } from 'node:crypto';
import { assertCan, type Principal } from '../auth/access.js';
import { recordEvent } from '../events/record.js';
export type { ReportContent } from './content.js';
import { findBookingByNumber, lockBooking, nextDailySequence, type BookingView } from '../bookings/bookings.repo.js';
import { bookingHref } from '../bookings/bookings.view.js';
import type { Db, Tx } from '../db/client.js';
import { notifyEnterpriseUsers } from '../notifications/notifications.repo.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { formatDate, shanghaiDate, type Clock } from '../shared/time.js';
import type { FileStorage } from '../uploads/storage.js';
import { buildContent, type ContentInput, type ReportContent } from './content.js';
import * as repo from './reports.repo.js';
import { lockOpenRevision, type RevisionRow } from './revision-lifecycle.js';
import { assertMaySign, type Signers } from './signing.js';
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

  /** A new valid version of a booking's report, signed by the three people in `signers` (checked first). */
  async function insertVersion(tx: Tx, content: Omit<ContentInput, 'now'>, version: { number: string; version: number; revisionReason?: string }) {
    const now = clock.now();
    const { booking, signers } = content;
    await assertMaySign(tx, signers, { nodeId: booking.nodeId, categoryCode: booking.categoryCode, day: shanghaiDate(now) });
    const frozen = await buildContent(tx, { ...content, now });
    return repo.insertReport(tx, {
      bookingId: booking.id,
      ...version,
      verificationCode: newVerificationCode(),
      verifyToken: randomBytes(24).toString('base64url'),
      status: 'valid',
      conclusion: frozen.conclusion,
      content: frozen,
      testerId: signers.testerId,
      verifierId: signers.verifierId,
      approverId: signers.approverId,
      issuedAt: now,
    });
  }

  return {
    /**
     * Issues version 1 of a booking's report inside the caller's transaction (the issue_report transition): the
     * tester and verifier are those who entered and verified the results; the approver must be a third person and an
     * authorised signatory.
     */
    async issue(tx: Tx, booking: BookingView, approver: Principal, prefix: string, itemNames: Record<string, string>) {
      const row = await lockBooking(tx, booking.id);
      if (!row) throw new NotFoundError();
      const year = shanghaiDate(clock.now()).slice(0, 4);
      const signers: Signers = { testerId: row.resultsBy, verifierId: row.verifiedBy, approverId: approver.id };
      await assertMaySign(tx, signers, { nodeId: booking.nodeId, categoryCode: booking.categoryCode, day: shanghaiDate(clock.now()) });
      const sequence = await nextDailySequence(tx, `R-${prefix}`, `${year}-01-01`);
      const content = { booking, version: 1, signers, conclusion: row.conclusion ?? 'info', remark: row.conclusionRemark, receivedAt: row.receivedAt, itemNames };
      return insertVersion(tx, content, { number: `NQI-${year}-${prefix}-${String(sequence).padStart(6, '0')}`, version: 1 });
    },

    /**
     * Issues a revision as version n+1 (signed by its own tester, verifier and approver); version n turns 已替换 and stays
     * verifiable as such. Runs in the caller's transaction, which also closes the revision.
     */
    async issueRevision(tx: Tx, booking: BookingView, revision: RevisionRow, approver: Principal, itemNames: Record<string, string>) {
      const current = await repo.currentReport(tx, booking.id);
      if (!current || current.status !== 'valid' || current.version !== revision.version - 1) throw new ConflictError('原报告已不是有效版本，不能签发此更正。');
      const row = await lockBooking(tx, booking.id);
      const signers: Signers = { testerId: revision.resultsBy, verifierId: revision.verifiedBy, approverId: approver.id };
      const content = {
        booking,
        version: revision.version,
        signers,
        conclusion: revision.conclusion ?? 'info',
        remark: revision.conclusionRemark,
        receivedAt: row?.receivedAt ?? null,
        itemNames,
        revision: { replacesVersion: current.version, reason: revision.reason },
      };
      const next = await insertVersion(tx, content, { number: current.number, version: revision.version, revisionReason: revision.reason });
      await repo.updateReport(tx, current.id, { status: 'replaced', replacedById: next.id });
      await recordEvent(tx, {
        actorUserId: approver.id,
        entityType: 'booking',
        entityId: booking.id,
        action: 'report.revised',
        note: `报告 ${current.number} 第 ${current.version} 版 → 第 ${next.version} 版：${revision.reason}`,
        data: { reportNumber: current.number, from: current.version, to: next.version },
      });
      await notifyEnterpriseUsers(tx, booking.enterpriseId, {
        bookingId: booking.id,
        title: `${booking.number} 报告已更正`,
        body: `报告 ${current.number} 已更正为第 ${next.version} 版，原版本已替换。更正原因：${revision.reason}`,
        link: bookingHref(booking.number),
      });
      return next;
    },

    async revoke(tx: Tx, booking: BookingView, actor: Principal, reason: string) {
      const current = await repo.currentReport(tx, booking.id);
      if (!current) throw new ConflictError('该预约尚未出具报告。');
      if (current.status !== 'valid') throw new ConflictError(`报告当前状态为“${REPORT_STATUS_LABELS[current.status]}”，不能撤销。`);
      if (await lockOpenRevision(tx, booking.id)) throw new ConflictError('该报告有进行中的更正，请先撤回更正再撤销报告。');
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
        link: bookingHref(booking.number),
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
