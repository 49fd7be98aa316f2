import { assertCan, type Principal } from '../auth/access.js';
import { recordEvent } from '../events/record.js';
import * as bookingsRepo from '../bookings/bookings.repo.js';
import { availableActions, isTransitionAction, STATUS_LABELS, type BookingStatus, type TransitionAction } from '../bookings/lifecycle.js';
import { applyTransition, type SystemActor } from '../bookings/transition.js';
import { addWorkingDays, workingDaysBetween } from '../calendar/workdays.js';
import { findInstrumentCategory, findServiceByCode } from '../catalog/catalog.repo.js';
import { makeReferenceData, type ReferenceData } from '../catalog/reference.js';
import type { Db, Tx } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import type { ReportsService } from '../reports/reports.service.js';
import { reportsOfBooking, updateReport, currentReport } from '../reports/reports.repo.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { addDays, isIsoDate, shanghaiDate, type Clock } from '../shared/time.js';
import { requiredText } from '../shared/validation.js';
import * as attachmentsRepo from '../uploads/attachments.repo.js';
import { checkFile } from '../uploads/file-check.js';
import type { UploadedFile } from '../uploads/purposes.js';
import type { FileStorage } from '../uploads/storage.js';
import * as repo from './lab.repo.js';
import { defaultNextDue, itemKey, parseCalibrationResults, parseConsultationRecord, parseOilResults, type OilSampleForResults, type ParsedResults } from './results.js';

const PAGE_SIZE = 25;
const COUNT_CAP = 9999;
const OPEN_STATUSES: BookingStatus[] = ['submitted', 'needs_info', 'accepted', 'received', 'in_progress', 'to_verify', 'verified'];

/** Queue tabs: the stage a technician works on, and the statuses in it. */
export const QUEUE_TABS = [
  { key: 'submitted', label: '待受理', statuses: ['submitted'] },
  { key: 'needs_info', label: '待补正', statuses: ['needs_info'] },
  { key: 'accepted', label: '待收样', statuses: ['accepted'] },
  { key: 'testing', label: '检测中', statuses: ['received', 'in_progress'] },
  { key: 'to_verify', label: '待审核', statuses: ['to_verify'] },
  { key: 'verified', label: '待出报告', statuses: ['verified'] },
  { key: 'done', label: '已完成', statuses: ['reported', 'completed'] },
  { key: 'closed', label: '已关闭', statuses: ['rejected', 'cancelled'] },
] as const satisfies readonly { key: string; label: string; statuses: readonly BookingStatus[] }[];

export type QueueTab = (typeof QUEUE_TABS)[number]['key'];

/** Report actions next to the lifecycle transitions on POST /lab/bookings/:no/:action. */
export const REPORT_ACTIONS = ['revise_report', 'revoke_report', 'upload_report_pdf'] as const;
export type ReportAction = (typeof REPORT_ACTIONS)[number];
export type LabAction = TransitionAction | ReportAction;

export function isLabAction(value: string): value is LabAction {
  return isTransitionAction(value) || (REPORT_ACTIONS as readonly string[]).includes(value);
}

const reasonField = requiredText('原因', { min: 2, max: 500 });

function reasonOf(body: Record<string, unknown>, label: string): string {
  const parsed = reasonField.safeParse(body.reason);
  if (!parsed.success) throw new ValidationError({ reason: parsed.error.issues[0]?.message.replace('原因', label) ?? `请填写${label}` });
  return parsed.data;
}

export function makeLabService(deps: { db: Db; clock: Clock; storage: FileStorage; reports: ReportsService; autoCompleteDays: number; reference?: ReferenceData }) {
  const { db, clock, storage, reports, autoCompleteDays } = deps;
  const reference = deps.reference ?? makeReferenceData(db);
  const today = () => shanghaiDate(clock.now());

  /** The booking as a staff member of its node may see it; any other node's booking does not exist (404). */
  async function nodeBooking(user: Principal, number: string) {
    const booking = await bookingsRepo.findBookingByNumber(db, number);
    if (!booking) throw new NotFoundError('该预约不存在，或不属于本网点。');
    assertCan(user, 'booking.work', { nodeId: booking.nodeId });
    return booking;
  }

  const itemNameMap = () => reference.oilItemNames();

  /** What the results form needs: per sample the selected test items with the grade's limits. */
  async function oilSamples(bookingId: number): Promise<OilSampleForResults[]> {
    const items = await bookingsRepo.itemsOf(db, bookingId);
    return Promise.all(
      items.map(async (item) => ({
        id: item.id,
        sampleName: item.sampleName,
        gradeCode: item.gradeCode!,
        labelCode: item.labelCode,
        items: (await repo.itemsWithLimits(db, item.gradeCode!, item.testItemCodes ?? [])).map((i) => ({
          ...i,
          limit: i.limit?.kind ? i.limit : null,
        })),
      })),
    );
  }

  async function parseResults(booking: bookingsRepo.BookingView, body: Record<string, unknown>): Promise<ParsedResults> {
    if (booking.kind === 'oil_test') return parseOilResults(body, await oilSamples(booking.id));
    if (booking.kind === 'calibration') return parseCalibrationResults(body, await bookingsRepo.itemsOf(db, booking.id), today());
    return parseConsultationRecord(body);
  }

  async function checkPdf(files: UploadedFile[]) {
    if (files.length > 1) throw new ValidationError({ reportPdf: '只能上传一个签章 PDF。' });
    const file = files[0];
    if (!file) return undefined;
    const checked = await checkFile(file);
    if (!checked.ok) throw new ValidationError({ reportPdf: checked.message });
    if (checked.mimeType !== 'application/pdf') throw new ValidationError({ reportPdf: '签章报告须为 PDF 文件。' });
    return { file, name: checked.safeName };
  }

  /** Stores the signed PDF and links it to the report, in the caller's transaction; returns the stored name. */
  async function attachPdf(tx: Tx, user: Principal, booking: bookingsRepo.BookingView, reportId: number, pdf: { file: UploadedFile; name: string }) {
    const saved = await storage.save(pdf.file.buffer);
    try {
      const [attachmentId] = await attachmentsRepo.insertAttachments(tx, [
        { bookingId: booking.id, enterpriseId: booking.enterpriseId, ownerUserId: user.id, draftToken: null, purpose: 'report_pdf', originalName: pdf.name, mimeType: 'application/pdf', ...saved },
      ]);
      await updateReport(tx, reportId, { pdfAttachmentId: attachmentId! });
      await recordEvent(tx, { actorUserId: user.id, entityType: 'booking', entityId: booking.id, action: 'report.pdf_uploaded', note: `${pdf.name}（SHA-256 ${saved.sha256}）`, data: { sha256: saved.sha256 } });
    } catch (err) {
      await storage.remove([saved.storedName]);
      throw err;
    }
    return saved.storedName;
  }

  /** Runs one lifecycle transition with the inputs its step needs. */
  async function transition(user: Principal, booking: bookingsRepo.BookingView, action: TransitionAction, body: Record<string, unknown>, files: UploadedFile[]) {
    switch (action) {
      case 'accept':
        return accept(user, booking);
      case 'reject':
        return inTransaction(db, (tx) => applyTransition(tx, booking.id, 'reject', user, { note: reasonOf(body, '不予受理的原因') }));
      case 'needs_info':
        return inTransaction(db, (tx) => applyTransition(tx, booking.id, 'needs_info', user, { note: reasonOf(body, '需要补正的内容') }));
      case 'receive': {
        const items = await bookingsRepo.itemsOf(db, booking.id);
        const errors: Record<string, string> = {};
        const labels = items.map((item) => {
          const raw = (body.labels as Record<string, unknown> | undefined)?.[itemKey(item.id)];
          const label = typeof raw === 'string' ? raw.trim() : '';
          if (booking.kind !== 'consultation' && !label) errors[`labels.${item.id}`] = booking.kind === 'oil_test' ? '请填写样品编号' : '请填写器具标签号';
          if (label.length > 40) errors[`labels.${item.id}`] = '编号不能超过 40 个字符';
          return { id: item.id, label };
        });
        let visitDate: string | null = null;
        if (booking.deliveryMode === 'on_site') {
          visitDate = typeof body.visitDate === 'string' ? body.visitDate : '';
          if (!isIsoDate(visitDate)) errors.visitDate = '请填写上门日期（年-月-日）';
          else if (visitDate < addDays(today(), -30) || visitDate > addDays(today(), 90)) errors.visitDate = '上门日期应在近 30 天至未来 90 天之间';
        }
        if (Object.keys(errors).length) throw new ValidationError(errors);
        return inTransaction(db, async (tx) => {
          await repo.setItemLabels(tx, labels.filter((l) => l.label));
          await applyTransition(tx, booking.id, 'receive', user, {
            patch: { receivedAt: clock.now(), visitDate },
            data: { labels: labels.map((l) => l.label), visitDate },
            note: visitDate ? `上门日期 ${visitDate}` : null,
          });
        });
      }
      case 'start': {
        const staff = await repo.staffOfNode(db, booking.nodeId);
        const assignee = typeof body.assignee === 'string' && /^\d+$/.test(body.assignee) ? Number(body.assignee) : user.id;
        const person = staff.find((s) => s.id === assignee);
        if (!person) throw new ValidationError({ assignee: '请选择本网点的检测人员' });
        return inTransaction(db, (tx) => applyTransition(tx, booking.id, 'start', user, { patch: { assignedTo: person.id }, note: `检测人员：${person.name}`, data: { assignee: person.id } }));
      }
      case 'submit_results': {
        const parsed = await parseResults(booking, body);
        return inTransaction(db, async (tx) => {
          const locked = await bookingsRepo.lockBooking(tx, booking.id);
          if (locked?.status !== 'in_progress') throw new ConflictError(`预约当前状态为“${STATUS_LABELS[locked?.status ?? 'cancelled']}”，不能提交结果。`);
          await repo.replaceResults(tx, booking.id, parsed.rows);
          await applyTransition(tx, booking.id, 'submit_results', user, {
            patch: { resultsBy: user.id, resultsAt: clock.now(), conclusion: parsed.conclusion, conclusionRemark: parsed.remark || null, verifiedBy: null, verifiedAt: null },
            data: { lines: parsed.rows.length, conclusion: parsed.conclusion },
          });
        });
      }
      case 'verify':
        return inTransaction(db, async (tx) => {
          const locked = await bookingsRepo.lockBooking(tx, booking.id);
          // Four-eyes: the results are checked by someone other than the person who entered them.
          if (locked && locked.resultsBy === user.id) throw new ConflictError('审核人不能与结果录入人相同，请由其他检测人员审核。', 'four_eyes');
          await applyTransition(tx, booking.id, 'verify', user, { patch: { verifiedBy: user.id, verifiedAt: clock.now() } });
        });
      case 'retract':
        return inTransaction(db, (tx) => applyTransition(tx, booking.id, 'retract', user, { note: reasonOf(body, '退回的原因'), patch: { verifiedBy: null, verifiedAt: null } }));
      case 'issue_report': {
        const pdf = await checkPdf(files);
        const names = await itemNameMap();
        const service = await findServiceByCode(db, booking.serviceCode);
        let stored: string | undefined;
        try {
          return await inTransaction(db, async (tx) => {
            const { before } = await applyTransition(tx, booking.id, 'issue_report', user, { patch: { reportedAt: clock.now() } });
            // Turnaround in working days from acceptance to report, kept on the booking for the statistics.
            if (before.acceptedAt) {
              const acceptedOn = shanghaiDate(before.acceptedAt);
              const closed = await repo.closedDatesFrom(tx, booking.nodeId, acceptedOn);
              const turnaroundDays = workingDaysBetween(acceptedOn, today(), closed);
              await bookingsRepo.updateBooking(tx, booking.id, { turnaroundDays, onTime: before.dueDate ? today() <= before.dueDate : null });
            }
            const report = await reports.issue(tx, booking, user, service!.bookingPrefix, names);
            if (pdf) stored = await attachPdf(tx, user, booking, report.id, pdf);
            await recordEvent(tx, { actorUserId: user.id, entityType: 'report', entityId: report.id, action: 'report.issued', note: `${report.number} 第 1 版`, data: { bookingId: booking.id } });
          });
        } catch (err) {
          if (stored) await storage.remove([stored]);
          throw err;
        }
      }
      case 'resubmit':
      case 'complete':
      case 'cancel':
        throw new ForbiddenError(`“${STATUS_LABELS[booking.status]}”状态下的此操作由企业完成。`);
    }
  }

  async function accept(user: Principal, booking: bookingsRepo.BookingView) {
    const acceptedOn = today();
    // The clock starts at acceptance, but work cannot start before the booked window: a booking accepted today for
    // next Tuesday is due N working days after Tuesday.
    const start = booking.date > acceptedOn ? booking.date : acceptedOn;
    const closed = await repo.closedDatesFrom(db, booking.nodeId, acceptedOn);
    const dueDate = addWorkingDays(start, booking.turnaroundDays, closed);
    await inTransaction(db, (tx) =>
      applyTransition(tx, booking.id, 'accept', user, {
        patch: { acceptedAt: clock.now(), dueDate },
        message: `预约 ${booking.number} 已受理，请按预约时段（${booking.date}）送达或等候上门。办结期限 ${dueDate}（${booking.turnaroundDays} 个工作日）。`,
        data: { dueDate },
      }),
    );
  }

  async function reportAction(user: Principal, booking: bookingsRepo.BookingView, action: ReportAction, body: Record<string, unknown>, files: UploadedFile[]) {
    if (!['reported', 'completed'].includes(booking.status)) throw new ConflictError('预约尚未出具报告。');
    if (action === 'revoke_report') {
      const reason = reasonOf(body, '撤销原因');
      return inTransaction(db, (tx) => reports.revoke(tx, booking, user, reason));
    }
    if (action === 'upload_report_pdf') {
      const pdf = await checkPdf(files);
      if (!pdf) throw new ValidationError({ reportPdf: '请选择签章报告 PDF 文件。' });
      let stored: string | undefined;
      try {
        return await inTransaction(db, async (tx) => {
          const current = await currentReport(tx, booking.id);
          if (!current || current.status !== 'valid') throw new ConflictError('只能为有效的报告上传签章 PDF。');
          if (current.pdfAttachmentId) throw new ConflictError('该版本报告已上传签章 PDF；如需更换，请更正报告出具新版本。');
          stored = await attachPdf(tx, user, booking, current.id, pdf);
        });
      } catch (err) {
        if (stored) await storage.remove([stored]);
        throw err;
      }
    }
    // revise: corrected results and a reason → a new version
    const reason = reasonOf(body, '更正原因');
    const parsed = await parseResults(booking, body);
    const names = await itemNameMap();
    return inTransaction(db, async (tx) => {
      await repo.replaceResults(tx, booking.id, parsed.rows);
      await bookingsRepo.updateBooking(tx, booking.id, { conclusion: parsed.conclusion, conclusionRemark: parsed.remark || null });
      await reports.revise(tx, booking, user, reason, names);
    });
  }

  return {
    /** The node's queue: one tab (stage) with counts for all, filters, search, due-date order, pagination. */
    async queue(user: Principal, query: { tab?: string; service?: string; enterprise?: string; from?: string; to?: string; assignee?: string; mine?: string; q?: string; page: number }) {
      assertCan(user, 'lab.queue');
      const nodeId = user.nodeId!;
      const tab = QUEUE_TABS.find((t) => t.key === query.tab) ?? QUEUE_TABS[0];
      // A search looks in every stage: staff look a booking up by its number without knowing where it is.
      const searching = !!(query.q || query.enterprise);
      const scope: bookingsRepo.BookingFilter = { nodeId };
      if (query.service) scope.serviceCode = query.service;
      if (query.from && isIsoDate(query.from)) scope.dateFrom = query.from;
      if (query.to && isIsoDate(query.to)) scope.dateTo = query.to;
      if (query.q || query.enterprise) scope.q = query.q || query.enterprise;
      if (query.mine) scope.assignedTo = user.id;
      else if (query.assignee && /^\d{1,9}$/.test(query.assignee)) scope.assignedTo = Number(query.assignee);
      // Open stages are counted exactly; finished and closed work grows without end, so its count stops at a cap.
      const finished = tab.key === 'done' || tab.key === 'closed';
      const [node, stages, list, staff, services] = await Promise.all([
        reference.node(nodeId),
        bookingsRepo.countStages(db, scope, OPEN_STATUSES, { done: ['reported', 'completed'], closed: ['rejected', 'cancelled'] }, COUNT_CAP),
        // A tab's total is its count among the stages; only a search across stages needs a count of its own.
        searching
          ? bookingsRepo.listBookings(db, scope, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE, order: 'recent', countCap: COUNT_CAP })
          : bookingsRepo.pageOfBookings(db, { ...scope, statuses: [...tab.statuses] }, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE, order: finished ? 'recent' : 'due' }).then((rows) => ({ rows, total: undefined })),
        repo.staffOfNode(db, nodeId),
        reference.servicesOfNode(nodeId),
      ]);
      const now = today();
      const soon = addWorkingDays(now, 1);
      const rows = list.rows.map((b) => {
        const open = !['reported', 'completed', 'rejected', 'cancelled'].includes(b.status);
        return { ...b, overdue: open && !!b.dueDate && b.dueDate < now, dueSoon: open && !!b.dueDate && b.dueDate >= now && b.dueDate <= soon };
      });
      const countOf = (t: (typeof QUEUE_TABS)[number]) =>
        t.key === 'done' || t.key === 'closed' ? stages.capped[t.key] : t.statuses.reduce((sum, st) => sum + (stages.byStatus.get(st) ?? 0), 0);
      const capLabel = (n: number) => (n > COUNT_CAP ? `${COUNT_CAP}+` : String(n));
      const total = list.total ?? countOf(tab);
      return {
        tab: tab.key,
        tabs: QUEUE_TABS.map((t) => {
          const n = countOf(t);
          return { key: t.key, label: t.label, count: capLabel(n), any: n > 0 };
        }),
        rows,
        total: capLabel(total),
        page: query.page,
        pages: Math.max(1, Math.ceil(Math.min(total, COUNT_CAP) / PAGE_SIZE)),
        finished,
        searching,
        staff,
        services,
        node,
        today: now,
      };
    },

    /** Everything the workbench page shows for one booking of the node. */
    async workbench(user: Principal, number: string) {
      const booking = await nodeBooking(user, number);
      const [items, attachments, timeline, results, reportRows, staff, names] = await Promise.all([
        bookingsRepo.itemsOf(db, booking.id),
        attachmentsRepo.attachmentsOfBooking(db, booking.id),
        bookingsRepo.timelineOf(db, booking.id),
        repo.resultsOf(db, booking.id),
        reportsOfBooking(db, booking.id),
        repo.staffOfNode(db, booking.nodeId),
        itemNameMap(),
      ]);
      const locked = await bookingsRepo.findBookingRow(db, booking.id);
      const oil = booking.kind === 'oil_test' ? await oilSamples(booking.id) : [];
      const service = await findServiceByCode(db, booking.serviceCode);
      const category = service?.instrumentCategoryCode ? await findInstrumentCategory(db, service.instrumentCategoryCode) : undefined;
      const nextDue = defaultNextDue(today(), category?.periodMonths ?? null);
      return {
        booking,
        signoff: { resultsBy: locked?.resultsBy ?? null, verifiedBy: locked?.verifiedBy ?? null, conclusion: locked?.conclusion ?? null, conclusionRemark: locked?.conclusionRemark ?? null, visitDate: locked?.visitDate ?? null },
        items,
        attachments,
        timeline,
        results,
        reports: reportRows,
        staff,
        itemNames: names,
        oil,
        defaultNextDue: nextDue,
        actions: availableActions(booking.status, user.role),
        fourEyesBlocked: booking.status === 'to_verify' && locked?.resultsBy === user.id,
      };
    },

    /** POST /lab/bookings/:no/:action */
    async act(user: Principal, number: string, action: LabAction, body: Record<string, unknown>, files: UploadedFile[]) {
      const booking = await nodeBooking(user, number);
      if (isTransitionAction(action)) return transition(user, booking, action, body, files);
      return reportAction(user, booking, action, body, files);
    },

    /** Accepts several submitted bookings: each in its own transaction, so one refusal does not undo the others. */
    async bulkAccept(user: Principal, numbers: string[]) {
      assertCan(user, 'booking.work');
      const done: string[] = [];
      const failed: { number: string; reason: string }[] = [];
      for (const number of [...new Set(numbers)].slice(0, 100)) {
        try {
          const booking = await nodeBooking(user, number);
          await accept(user, booking);
          done.push(number);
        } catch (err) {
          if (err instanceof NotFoundError || err instanceof ConflictError || err instanceof ForbiddenError) failed.push({ number, reason: err.message });
          else throw err;
        }
      }
      return { done, failed };
    },

    /** Reported bookings the enterprise has not confirmed within AUTO_COMPLETE_DAYS complete on their own. */
    async autoComplete(): Promise<number> {
      const cutoff = new Date(clock.now().getTime() - autoCompleteDays * 86_400_000);
      const due = await repo.reportedBefore(db, cutoff);
      const system: SystemActor = { id: null, role: 'system', name: '系统' };
      for (const b of due) {
        await inTransaction(db, (tx) =>
          applyTransition(tx, b.id, 'complete', system, { note: `出具报告 ${autoCompleteDays} 天后自动办结`, message: `预约 ${b.number} 已自动办结。欢迎对本次服务进行评价。` }),
        );
      }
      return due.length;
    },
  };
}

export type LabService = ReturnType<typeof makeLabService>;
