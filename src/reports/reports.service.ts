import type { Principal } from '../auth/access.js';
import { findBookingByNumber, type BookingView } from '../bookings/bookings.repo.js';
import { bookingHref } from '../bookings/bookings.view.js';
import type { Db, Tx } from '../db/client.js';
import { recordEvent } from '../events/record.js';
import { emitWebhook } from '../events/webhooks.js';
import { notifyEnterpriseUsers } from '../notifications/notifications.repo.js';
import { assertCan } from '../auth/access.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { shanghaiDate, type Clock } from '../shared/time.js';
import type { DocumentStore } from '../uploads/storage.js';
import type { ReportContent } from './content.js';
import { issueFirstVersion, issueRevisedVersion } from './issue.js';
import * as repo from './reports.repo.js';
import { REPORT_STATUS_LABELS } from './reports.view.js';
import { lockOpenRevision, type RevisionRow } from './revision-lifecycle.js';
import { verifyReport } from './verify.js';

export type { ReportContent } from './content.js';
export { newVerificationCode } from './issue.js';
export { maskCompanyName } from './verify.js';

/** The reports feature's face: issue (issue.ts), revoke, read, the signed PDF, public verification (verify.ts). */
export function makeReportsService(deps: { db: Db; clock: Clock; storage: DocumentStore }) {
  const { db, clock, storage } = deps;

  async function view(user: Principal, bookingNumber: string, version: number) {
    const booking = await findBookingByNumber(db, bookingNumber);
    if (!booking) throw new NotFoundError();
    assertCan(user, 'booking.read', { enterpriseId: booking.enterpriseId, nodeId: booking.nodeId, parkId: booking.parkId });
    const found = await repo.findReportVersion(db, booking.id, version);
    if (!found) throw new NotFoundError('该报告不存在。');
    return { booking, report: found.report, pdf: found.pdf, content: found.report.content as ReportContent };
  }

  return {
    /** Version 1 in the caller's transaction (the issue_report step); signers checked in issue.ts. */
    issue: (tx: Tx, booking: BookingView, approver: Principal, prefix: string, itemNames: Record<string, string>) => issueFirstVersion(deps, tx, booking, approver, prefix, itemNames),
    /** Version n+1 from a verified revision, in the caller's transaction. */
    issueRevision: (tx: Tx, booking: BookingView, revision: RevisionRow, approver: Principal, itemNames: Record<string, string>) => issueRevisedVersion(deps, tx, booking, revision, approver, itemNames),

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
      await emitWebhook(tx, 'report.revoked', { enterpriseId: booking.enterpriseId, nodeId: booking.nodeId }, { bookingNumber: booking.number, reportNumber: current.number, version: current.version });
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
      const content = await storage.read(pdf.storedName!);
      if (!content) throw new NotFoundError('签章 PDF 文件已不存在，请联系出具网点。');
      return { downloadName: `${report.number}-v${report.version}.pdf`, storedName: pdf.storedName!, content, mimeType: pdf.mimeType! };
    },

    /** Public verification by number + code or the QR token (verify.ts). */
    verify: (query: { number?: string; code?: string; token?: string }) => verifyReport(db, query, shanghaiDate(clock.now())),
  };
}

export type ReportsService = ReturnType<typeof makeReportsService>;
