import { randomBytes, randomInt } from 'node:crypto';
import type { Principal } from '../auth/access.js';
import { lockBooking, nextDailySequence, type BookingView } from '../bookings/bookings.repo.js';
import { bookingHref } from '../bookings/bookings.view.js';
import type { Tx } from '../db/client.js';
import { recordEvent } from '../events/record.js';
import { emitWebhook } from '../events/webhooks.js';
import { notifyEnterpriseUsers } from '../notifications/notifications.repo.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { shanghaiDate, type Clock } from '../shared/time.js';
import { buildContent, type ContentInput } from './content.js';
import * as repo from './reports.repo.js';
import type { RevisionRow } from './revision-lifecycle.js';
import { assertMaySign, type Signers } from './signing.js';

/* Issuing reports: version 1 from the booking's results, version n+1 from a revision — each signed by its own three people. */

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no I, O, 0, 1: read off paper without mistakes

export function newVerificationCode(): string {
  return Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}


type Deps = { clock: Clock };

/** A new valid version of a booking's report, signed by the three people in `signers` (checked first). */
async function insertVersion({ clock }: Deps, tx: Tx, content: Omit<ContentInput, 'now'>, version: { number: string; version: number; revisionReason?: string }) {
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


  /**
   * Issues version 1 of a booking's report inside the caller's transaction (the issue_report transition): the
   * tester and verifier are those who entered and verified the results; the approver must be a third person and an
   * authorised signatory.
   */
export async function issueFirstVersion(deps: Deps, tx: Tx, booking: BookingView, approver: Principal, prefix: string, itemNames: Record<string, string>) {
  const { clock } = deps;
    const row = await lockBooking(tx, booking.id);
    if (!row) throw new NotFoundError();
    const year = shanghaiDate(clock.now()).slice(0, 4);
    const signers: Signers = { testerId: row.resultsBy, verifierId: row.verifiedBy, approverId: approver.id };
    await assertMaySign(tx, signers, { nodeId: booking.nodeId, categoryCode: booking.categoryCode, day: shanghaiDate(clock.now()) });
    const sequence = await nextDailySequence(tx, `R-${prefix}`, `${year}-01-01`);
    const content = { booking, version: 1, signers, conclusion: row.conclusion ?? 'info', remark: row.conclusionRemark, receivedAt: row.receivedAt, itemNames };
    return insertVersion(deps, tx, content, { number: `NQI-${year}-${prefix}-${String(sequence).padStart(6, '0')}`, version: 1 });
  }

  /**
   * Issues a revision as version n+1 (signed by its own tester, verifier and approver); version n turns 已替换 and stays
   * verifiable as such. Runs in the caller's transaction, which also closes the revision.
   */
export async function issueRevisedVersion(deps: Deps, tx: Tx, booking: BookingView, revision: RevisionRow, approver: Principal, itemNames: Record<string, string>) {
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
    const next = await insertVersion(deps, tx, content, { number: current.number, version: revision.version, revisionReason: revision.reason });
    await repo.updateReport(tx, current.id, { status: 'replaced', replacedById: next.id });
    await recordEvent(tx, {
      actorUserId: approver.id,
      entityType: 'booking',
      entityId: booking.id,
      action: 'report.revised',
      note: `报告 ${current.number} 第 ${current.version} 版 → 第 ${next.version} 版：${revision.reason}`,
      data: { reportNumber: current.number, from: current.version, to: next.version },
    });
    await emitWebhook(tx, 'report.revised', { enterpriseId: booking.enterpriseId, nodeId: booking.nodeId }, { bookingNumber: booking.number, reportNumber: current.number, version: next.version, replacesVersion: current.version });
    await notifyEnterpriseUsers(tx, booking.enterpriseId, {
      bookingId: booking.id,
      title: `${booking.number} 报告已更正`,
      body: `报告 ${current.number} 已更正为第 ${next.version} 版，原版本已替换。更正原因：${revision.reason}`,
      link: bookingHref(booking.number),
    });
    return next;
  }
