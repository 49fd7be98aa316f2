import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { assertCan, type Principal } from '../auth/access.js';
import { recordEvent } from '../events/record.js';
import {
  findInstrumentCategory,
  findNode,
  findServiceByCode,
  itemAppliesToFamily,
  nodesOfferingService,
  oilGradesByCodes,
  oilPackagesByCodes,
  type ServiceRow,
} from '../catalog/catalog.repo.js';
import {
  defaultCapacity,
  describeWindow,
  UNAVAILABLE_MESSAGES,
  type Availability,
  type BookingKind,
  type DayAvailability,
  type NodeServiceRef,
  type WindowAvailability,
} from '../capacity/availability.js';
import { makeReferenceData, type ReferenceData } from '../catalog/reference.js';
import { findNodeService, releaseUnits, takeUnits } from '../capacity/capacity.repo.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION, type Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { notifyNodeStaff } from '../notifications/notifications.repo.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { addDays, isIsoDate, shanghaiDate, type Clock } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import * as attachmentsRepo from '../uploads/attachments.repo.js';
import { reportsOfBooking } from '../reports/reports.repo.js';
import { findEnterpriseById } from '../enterprises/enterprises.repo.js';
import { checkFile, MAX_FILES } from '../uploads/file-check.js';
import type { UploadedFile } from '../uploads/purposes.js';
import type { FileStorage } from '../uploads/storage.js';
import * as repo from './bookings.repo.js';
import {
  calibrationSchema,
  consultationSchema,
  EDITIONS_BY_FAMILY,
  evaluationSchema,
  oilTestSchema,
  reasonSchema,
  rescheduleSchema,
  resubmitSchema,
  SOURCE_TYPES,
  type CalibrationInput,
  type ConsultationInput,
  type OilTestInput,
} from './bookings.schemas.js';
import { availableActions, BOOKING_STATUSES, HOLDS_CAPACITY, STATUS_LABELS, type BookingStatus } from './lifecycle.js';
import { applyTransition } from './transition.js';

export interface BookingsDeps {
  db: Db;
  availability: Availability;
  storage: FileStorage;
  clock: Clock;
  /** Cached reference data (shared with the catalog so network changes clear it); built over `db` when absent. */
  reference?: ReferenceData;
}

/** Days of windows shown on the booking form at a time (the user pages through the horizon). */
const FORM_DAYS = 14;
const PAGE_SIZE = 20;

type ActiveService = NonNullable<ServiceRow>;

export interface PreparedBooking {
  kind: BookingKind;
  service: ActiveService;
  nodeId: number;
  ref: NodeServiceRef;
  date: string;
  window: string;
  units: number;
  deliveryMode: string;
  onsiteAddress: string | null;
  contactName: string;
  contactMobile: string;
  remarks: string;
  idempotencyKey: string;
  items: repo.NewBookingItem[];
  /** Human-readable lines for the review page. */
  summary: { label: string; value: string }[];
}

export interface CheckedFile {
  purpose: UploadedFile['purpose'];
  buffer: Buffer;
  safeName: string;
  mimeType: string;
}

/** Thrown inside a transaction when the conditional take finds the window full; turned into a message after rollback. */
class WindowTakenMeanwhile extends Error {}

export function newIdempotencyKey(): string {
  return randomBytes(16).toString('base64url');
}

export function makeBookingsService(deps: BookingsDeps) {
  const { db, availability, storage, clock } = deps;
  const reference = deps.reference ?? makeReferenceData(db);

  async function activeService(code: string): Promise<ActiveService> {
    const service = await findServiceByCode(db, code);
    if (!service || !service.active) throw new NotFoundError('该服务不存在或已下线。');
    return service;
  }

  async function oilReference(service: ActiveService) {
    const [grades, packages, items] = await Promise.all([
      oilGradesByCodes(db, service.gradeCodes ?? []),
      oilPackagesByCodes(db, service.packageCodes ?? []),
      reference.oilTestItems(),
    ]);
    const families = new Set(grades.map((g) => g.family));
    return {
      grades,
      packages,
      // only items that apply to at least one grade of this service
      items: items.filter((i) => [...families].some((f) => itemAppliesToFamily(i.appliesTo, f))),
      editionsByFamily: EDITIONS_BY_FAMILY,
      sourceTypes: SOURCE_TYPES,
    };
  }

  /** Everything the booking form shows: the service, the nodes offering it, the chosen node's windows, reference data. */
  async function formContext(user: Principal, serviceCode: string, nodeId: number | undefined, fromDate?: string) {
    assertCan(user, 'booking.create');
    const service = await activeService(serviceCode);
    const nodes = await nodesOfferingService(db, service.id);
    const node = nodeId !== undefined ? nodes.find((n) => n.id === nodeId) : nodes.length === 1 ? nodes[0] : undefined;
    let days: DayAvailability[] = [];
    const { today, last } = availability.bookingRange();
    // The two weeks shown start at `fromDate` (paging), never before today or after the horizon.
    const from = fromDate && isIsoDate(fromDate) && fromDate > today ? (fromDate > last ? last : fromDate) : today;
    const windowPage = {
      previous: from > today ? (addDays(from, -FORM_DAYS) > today ? addDays(from, -FORM_DAYS) : today) : null,
      next: addDays(from, FORM_DAYS) <= last ? addDays(from, FORM_DAYS) : null,
    };
    if (node) {
      const ns = await findNodeService(db, node.id, service.id);
      if (ns) {
        const map = await availability.forNodeServices([{ ns, kind: service.bookingKind }], from, addDays(from, FORM_DAYS - 1));
        days = map.get(ns.id) ?? [];
      }
    }
    const kindData =
      service.bookingKind === 'calibration'
        ? { instrumentCategory: service.instrumentCategoryCode ? await findInstrumentCategory(db, service.instrumentCategoryCode) : undefined }
        : service.bookingKind === 'oil_test'
          ? { oil: await oilReference(service) }
          : {};
    return { service, nodes, node, days, windowPage, ...kindData };
  }

  function parseKind(kind: BookingKind, input: unknown): CalibrationInput | OilTestInput | ConsultationInput {
    const schema = kind === 'calibration' ? calibrationSchema : kind === 'oil_test' ? oilTestSchema : consultationSchema;
    return parseInput(schema as z.ZodType, input) as CalibrationInput | OilTestInput | ConsultationInput;
  }

  /** Oil-test rules that need the reference data: grade of this service, edition of its family, items of the grade. */
  async function oilItem(service: ActiveService, v: OilTestInput, today: string): Promise<{ item: repo.NewBookingItem; errors: Record<string, string>; summary: string }> {
    const errors: Record<string, string> = {};
    const ref = await oilReference(service);
    const grade = ref.grades.find((g) => g.code === v.gradeCode);
    if (!grade) errors.gradeCode = '请选择本项服务可检测的产品牌号';
    if (grade && !(EDITIONS_BY_FAMILY[grade.family] ?? []).includes(v.specEdition)) errors.specEdition = '请选择与产品牌号对应的规格版本';
    if (v.samplingDate > today) errors.samplingDate = '取样日期不能晚于今天';
    else if (v.samplingDate < addDays(today, -365)) errors.samplingDate = '取样日期早于一年前，样品已超出保存期';
    let testItemCodes: string[] = [];
    let packageCode: string | null = null;
    let testsLabel = '';
    if (v.testMode === 'package') {
      const pkg = ref.packages.find((p) => p.code === v.packageCode);
      if (!pkg) errors.packageCode = '请选择检测套餐';
      else if (grade && !pkg.gradeFamilies.includes(grade.family)) errors.packageCode = `套餐“${pkg.name}”不适用于${grade.name}`;
      else {
        packageCode = pkg.code;
        testItemCodes = pkg.itemCodes;
        testsLabel = pkg.name;
      }
    } else {
      const chosen = [...new Set(v.testItems)];
      const known = new Map(ref.items.map((i) => [i.code, i]));
      if (chosen.length === 0) errors.testItems = '请至少选择一个检测项目，或改选检测套餐';
      else if (chosen.some((c) => !known.has(c) || (grade && !itemAppliesToFamily(known.get(c)!.appliesTo, grade.family)))) {
        errors.testItems = '所选检测项目中有不适用于该牌号的项目，请重新选择';
      } else {
        testItemCodes = chosen;
        testsLabel = chosen.map((c) => known.get(c)!.name).join('、');
      }
    }
    return {
      errors,
      summary: `${grade?.name ?? v.gradeCode}（${v.specEdition}）· ${testsLabel}`,
      item: {
        quantity: v.quantity,
        sampleName: v.sampleName,
        gradeCode: v.gradeCode,
        specEdition: v.specEdition,
        sourceType: v.sourceType,
        sourceName: v.sourceName,
        samplingDate: v.samplingDate,
        sealNo: v.sealNo,
        packageCode,
        testItemCodes,
      },
    };
  }

  /**
   * Validates a booking form completely — fields, kind-specific rules, the node and the chosen window — and returns
   * what would be saved. Throws ValidationError with every field's message, or ConflictError when the window is full.
   */
  async function prepare(user: Principal, body: Record<string, unknown>): Promise<PreparedBooking> {
    assertCan(user, 'booking.create');
    const serviceCode = typeof body.service === 'string' ? body.service : '';
    const service = await activeService(serviceCode);
    const kind = service.bookingKind;
    const nodeId = typeof body.node === 'string' && /^\d{1,9}$/.test(body.node) ? Number(body.node) : NaN;
    const ns = Number.isNaN(nodeId) ? undefined : await findNodeService(db, nodeId, service.id);
    const errors: Record<string, string> = {};
    const node = ns ? await findNode(db, ns.nodeId) : undefined;
    if (!ns || !ns.active || !node?.active) errors.node = '请选择提供该服务的网点';

    let v: CalibrationInput | OilTestInput | ConsultationInput | undefined;
    try {
      v = parseKind(kind, body);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      Object.assign(errors, err.fieldErrors);
    }
    if (!v || !ns || !ns.active || !node?.active) throw new ValidationError(errors);

    const today = shanghaiDate(clock.now());
    let items: repo.NewBookingItem[];
    let units = 1;
    let deliveryMode = 'send_in';
    let onsiteAddress: string | null = null;
    const summary: { label: string; value: string }[] = [];

    if (kind === 'calibration') {
      const c = v as CalibrationInput;
      if (!service.deliveryModes.includes(c.deliveryMode)) errors.deliveryMode = '该服务不提供所选服务方式';
      deliveryMode = c.deliveryMode;
      onsiteAddress = c.deliveryMode === 'on_site' ? c.onsiteAddress : null;
      items = c.items.map((i) => ({
        quantity: i.quantity,
        instrumentName: i.name,
        model: i.model || null,
        serialNo: i.serialNo,
        measuringRange: i.range || null,
        accuracyClass: i.accuracyClass || null,
        compulsory: i.compulsory,
        intendedUse: i.intendedUse || null,
      }));
      units = c.items.reduce((s, i) => s + i.quantity, 0);
      summary.push({ label: '计量器具', value: c.items.map((i) => `${i.name}（${i.serialNo}）×${i.quantity}`).join('；') });
    } else if (kind === 'oil_test') {
      const o = v as OilTestInput;
      const oil = await oilItem(service, o, today);
      Object.assign(errors, oil.errors);
      items = [oil.item];
      units = o.quantity;
      summary.push({ label: '样品', value: `${o.sampleName} × ${o.quantity}（${SOURCE_TYPES[o.sourceType]}：${o.sourceName}，铅封 ${o.sealNo}）` });
      summary.push({ label: '检测', value: oil.summary });
    } else {
      const k = v as ConsultationInput;
      if (!service.deliveryModes.includes(k.deliveryMode)) errors.deliveryMode = '该服务不提供所选服务方式';
      deliveryMode = k.deliveryMode;
      items = [{ quantity: 1, topic: k.topic, description: k.description, participants: k.participants }];
      summary.push({ label: '咨询主题', value: k.topic });
    }

    const ref: NodeServiceRef = { ns, kind };
    const window = await availability.check(ref, v.slot.date, v.slot.window);
    if (!window) errors.slot = '请选择有效的预约时段';
    else if (window.unavailable && window.unavailable !== 'full') errors.slot = `所选时段不可预约：${UNAVAILABLE_MESSAGES[window.unavailable]}`;
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    if (window && window.free < units) await refuseFull(ref, window, units);

    summary.unshift({ label: '预约时段', value: describeWindow(v.slot.date, v.slot.window) });
    return {
      kind,
      service,
      nodeId: ns.nodeId,
      ref,
      date: v.slot.date,
      window: v.slot.window,
      units,
      deliveryMode,
      onsiteAddress,
      contactName: v.contactName,
      contactMobile: v.contactMobile,
      remarks: v.remarks,
      idempotencyKey: v.idempotencyKey,
      items,
      summary,
    };
  }

  /** "这个时段刚刚约满" with the next windows that can take the units. */
  async function refuseFull(ref: NodeServiceRef, window: Pick<WindowAvailability, 'free'>, units: number): Promise<never> {
    const next = (await availability.nextFree([ref], 5, units)).get(ref.ns.id) ?? [];
    const message =
      window.free > 0
        ? `这个时段只剩 ${window.free} 个名额，您预约了 ${units} 台（件）。请改选其他时段，或分次预约。`
        : '这个时段刚刚约满，请改选其他时段。';
    throw new ConflictError(message, 'window_full', { nextFree: next });
  }

  async function checkFiles(files: UploadedFile[], alreadyAttached: number): Promise<CheckedFile[]> {
    if (files.length + alreadyAttached > MAX_FILES) {
      throw new ValidationError({ attachments: `一次最多上传 ${MAX_FILES} 个文件（已上传 ${alreadyAttached} 个）。` });
    }
    const checked: CheckedFile[] = [];
    for (const f of files) {
      const result = await checkFile(f);
      if (!result.ok) throw new ValidationError({ attachments: result.message });
      checked.push({ purpose: f.purpose, buffer: f.buffer, safeName: result.safeName, mimeType: result.mimeType });
    }
    return checked;
  }

  /** Writes checked files to disk; returns rows to insert. The caller removes the files if its transaction fails. */
  async function storeFiles(files: CheckedFile[], owner: Principal, target: { bookingId: number | null; draftToken: string | null }) {
    const rows: attachmentsRepo.NewAttachment[] = [];
    try {
      for (const f of files) {
        const saved = await storage.save(f.buffer);
        rows.push({
          bookingId: target.bookingId,
          draftToken: target.draftToken,
          enterpriseId: owner.enterpriseId,
          ownerUserId: owner.id,
          purpose: f.purpose,
          originalName: f.safeName,
          mimeType: f.mimeType,
          ...saved,
        });
      }
    } catch (err) {
      await storage.remove(rows.map((r) => r.storedName));
      throw err;
    }
    return rows;
  }

  /** The booking as its owner (or staff, admins in scope) may see it; 404 outside the scope. */
  async function visibleBooking(user: Principal, number: string) {
    const booking = await repo.findBookingByNumber(db, number);
    if (!booking) throw new NotFoundError('该预约不存在，或您无权查看。');
    assertCan(user, 'booking.read', { enterpriseId: booking.enterpriseId, nodeId: booking.nodeId, parkId: booking.parkId });
    return booking;
  }

  async function ownBooking(user: Principal, number: string) {
    const booking = await repo.findBookingByNumber(db, number);
    if (!booking) throw new NotFoundError('该预约不存在，或您无权查看。');
    assertCan(user, 'booking.change', { enterpriseId: booking.enterpriseId });
    return booking;
  }

  function fieldDrafts(user: Principal, key: unknown) {
    return typeof key === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(key) ? attachmentsRepo.draftsOf(db, user.id, key) : Promise.resolve([]);
  }

  return {
    formContext,
    drafts: fieldDrafts,

    /** Review step: validate everything, keep the files as drafts of this form, show what will be submitted. */
    async review(user: Principal, body: Record<string, unknown>, files: UploadedFile[]) {
      const prepared = await prepare(user, body);
      const drafts = await attachmentsRepo.draftsOf(db, user.id, prepared.idempotencyKey);
      const checked = await checkFiles(files, drafts.length);
      const rows = await storeFiles(checked, user, { bookingId: null, draftToken: prepared.idempotencyKey });
      try {
        await attachmentsRepo.insertAttachments(db, rows);
      } catch (err) {
        await storage.remove(rows.map((r) => r.storedName));
        throw err;
      }
      return { prepared, drafts: await attachmentsRepo.draftsOf(db, user.id, prepared.idempotencyKey) };
    },

    /** Back from review to the form: forget the drafts the user unticked. */
    async removeDrafts(user: Principal, key: string, ids: number[]) {
      const removed = await attachmentsRepo.deleteDrafts(db, user.id, key, ids);
      await storage.remove(removed);
    },

    /**
     * Submits a booking: capacity, number, booking, items, attachments, first event and the node's notification in one
     * transaction. The same form submitted twice (double click, back button) returns the first booking.
     */
    async submit(user: Principal, body: Record<string, unknown>, files: UploadedFile[]): Promise<{ number: string; duplicate: boolean }> {
      assertCan(user, 'booking.create');
      const enterpriseId = user.enterpriseId!;
      const key = typeof body.idempotencyKey === 'string' ? body.idempotencyKey : '';
      const existing = key ? await repo.findNumberByIdempotencyKey(db, enterpriseId, key) : undefined;
      if (existing) return { number: existing, duplicate: true };

      const p = await prepare(user, body);
      const drafts = await attachmentsRepo.draftsOf(db, user.id, p.idempotencyKey);
      const checked = await checkFiles(files, drafts.length);
      const company = await findEnterpriseById(db, enterpriseId);
      const newFiles = await storeFiles(checked, user, { bookingId: null, draftToken: null });
      try {
        const number = await inTransaction(db, async (tx) => {
          const slot = await takeUnits(tx, {
            nodeServiceId: p.ref.ns.id,
            date: p.date,
            window: p.window,
            defaultCapacity: defaultCapacity(p.ref.ns, p.kind, p.window),
            units: p.units,
          });
          if (!slot) throw new WindowTakenMeanwhile();
          const day = shanghaiDate(clock.now());
          const sequence = await repo.nextDailySequence(tx, p.service.bookingPrefix, day);
          const number = `${p.service.bookingPrefix}-${day.replaceAll('-', '')}-${String(sequence).padStart(4, '0')}`;
          const bookingId = await repo.insertBooking(tx, {
            number,
            kind: p.kind,
            enterpriseId,
            parkId: company?.parkId ?? null,
            nodeId: p.nodeId,
            serviceId: p.service.id,
            nodeServiceId: p.ref.ns.id,
            windowId: slot!.id,
            date: p.date,
            window: p.window,
            units: p.units,
            deliveryMode: p.deliveryMode,
            onsiteAddress: p.onsiteAddress,
            contactName: p.contactName,
            contactMobile: p.contactMobile,
            remarks: p.remarks,
            createdBy: user.id,
            idempotencyKey: p.idempotencyKey,
            // the service's clock, so statistics by submission date agree with the booking number's date
            submittedAt: clock.now(),
            createdAt: clock.now(),
          });
          await repo.insertItems(tx, bookingId, p.items);
          await attachmentsRepo.linkDrafts(tx, user.id, p.idempotencyKey, bookingId);
          await attachmentsRepo.insertAttachments(tx, newFiles.map((f) => ({ ...f, bookingId })));
          await recordEvent(tx, {
            actorUserId: user.id,
            entityType: 'booking',
            entityId: bookingId,
            action: 'booking.submitted',
            toState: 'submitted',
            note: null,
            data: { number, date: p.date, window: p.window, units: p.units, attachments: drafts.length + newFiles.length },
          });
          await notifyNodeStaff(tx, p.nodeId, {
            bookingId,
            title: `新预约 ${number}`,
            body: `${p.service.name}，${describeWindow(p.date, p.window)}，${p.units} 台（件/人次），待受理。`,
            link: `/lab/bookings/${number}`,
          });
          return number;
        });
        return { number, duplicate: false };
      } catch (err) {
        await storage.remove(newFiles.map((f) => f.storedName));
        // Filled up between the check and the take: say so with the next free windows (read after the rollback —
        // never through `db` inside a transaction, which would wait for a second connection while holding one).
        if (err instanceof WindowTakenMeanwhile) {
          const current = await availability.check(p.ref, p.date, p.window);
          await refuseFull(p.ref, { free: current?.free ?? 0 }, p.units);
        }
        // The same form raced itself (double click): the unique key decides, the second request gets the first booking.
        if (pgErrorCode(err) === UNIQUE_VIOLATION && (pgConstraint(err) ?? '').includes('idempotency')) {
          const first = await repo.findNumberByIdempotencyKey(db, enterpriseId, p.idempotencyKey);
          if (first) return { number: first, duplicate: true };
        }
        throw err;
      }
    },

    /** My company's bookings across every node (or a node's, a park's … for other roles via the filter scope). */
    async list(user: Principal, query: { status?: string; node?: string; service?: string; from?: string; to?: string; q?: string; page: number }) {
      assertCan(user, 'booking.create');
      const filter: repo.BookingFilter = { enterpriseId: user.enterpriseId! };
      if (query.status && (BOOKING_STATUSES as readonly string[]).includes(query.status)) filter.statuses = [query.status as BookingStatus];
      if (query.node && /^\d{1,9}$/.test(query.node)) filter.nodeId = Number(query.node);
      if (query.service) filter.serviceCode = query.service;
      if (query.from && /^\d{4}-\d{2}-\d{2}$/.test(query.from)) filter.dateFrom = query.from;
      if (query.to && /^\d{4}-\d{2}-\d{2}$/.test(query.to)) filter.dateTo = query.to;
      if (query.q) filter.q = query.q;
      const { rows, total } = await repo.listBookings(db, filter, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE });
      return { rows, total, page: query.page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)), pageSize: PAGE_SIZE };
    },

    /** Nodes for the list filter. */
    filterOptions: () => reference.nodes({ includeInactive: true }),

    async detail(user: Principal, number: string) {
      const booking = await visibleBooking(user, number);
      const [items, attachments, timeline, reports, evaluation, itemNames] = await Promise.all([
        repo.itemsOf(db, booking.id),
        attachmentsRepo.attachmentsOfBooking(db, booking.id),
        repo.timelineOf(db, booking.id),
        reportsOfBooking(db, booking.id),
        repo.findEvaluation(db, booking.id),
        reference.oilItemNames(),
      ]);
      const actions = user.role === 'enterprise' ? availableActions(booking.status, 'enterprise') : [];
      const canReschedule = user.role === 'enterprise' && HOLDS_CAPACITY.includes(booking.status) && booking.status !== 'needs_info';
      const canEvaluate = user.role === 'enterprise' && booking.status === 'completed' && !evaluation;
      return { booking, items, attachments, timeline, actions, canReschedule, reports, evaluation, canEvaluate, itemNames };
    },

    /** The enterprise confirms it received the report: the booking is done. */
    async complete(user: Principal, number: string) {
      const booking = await ownBooking(user, number);
      await inTransaction(db, (tx) => applyTransition(tx, booking.id, 'complete', user, { note: '企业确认办结' }));
    },

    /** 好差评: once per completed booking, five levels and an optional comment. */
    async evaluate(user: Principal, number: string, input: unknown) {
      const booking = await ownBooking(user, number);
      const v = parseInput(evaluationSchema, input);
      if (booking.status !== 'completed') throw new ConflictError('办结后才能评价。');
      try {
        await inTransaction(db, async (tx) => {
          await repo.insertEvaluation(tx, { bookingId: booking.id, userId: user.id, level: v.level, comment: v.comment });
          await repo.updateBooking(tx, booking.id, { evaluationLevel: v.level });
          await recordEvent(tx, { actorUserId: user.id, entityType: 'booking', entityId: booking.id, action: 'booking.evaluated', note: v.comment || null, data: { level: v.level } });
          await notifyNodeStaff(tx, booking.nodeId, { bookingId: booking.id, title: `${booking.number} 收到评价`, body: `企业评价：${v.level} 星${v.comment ? `，“${v.comment}”` : ''}`, link: `/lab/bookings/${booking.number}` });
        });
      } catch (err) {
        if (pgErrorCode(err) === UNIQUE_VIOLATION) throw new ConflictError('该预约已评价过，每笔预约只能评价一次。');
        throw err;
      }
    },

    async attachment(user: Principal, number: string, attachmentId: number) {
      const booking = await visibleBooking(user, number);
      const file = await attachmentsRepo.findBookingAttachment(db, booking.id, attachmentId);
      if (!file) throw new NotFoundError('该附件不存在，或您无权下载。');
      return { file, path: storage.pathOf(file.storedName) };
    },

    async cancel(user: Principal, number: string, input: unknown) {
      const booking = await ownBooking(user, number);
      const { reason } = parseInput(reasonSchema, input);
      await inTransaction(db, (tx) => applyTransition(tx, booking.id, 'cancel', user, { note: reason }));
    },

    async rescheduleContext(user: Principal, number: string) {
      const booking = await ownBooking(user, number);
      if (!HOLDS_CAPACITY.includes(booking.status) || booking.status === 'needs_info') {
        throw new ConflictError(`预约当前状态为“${STATUS_LABELS[booking.status]}”，不能改期。`);
      }
      const ns = await findNodeService(db, booking.nodeId, booking.serviceId);
      const { today } = availability.bookingRange();
      // four weeks: moving a booking is usually to a date near the original one
      const days = ns ? ((await availability.forNodeServices([{ ns, kind: booking.kind }], today, addDays(today, 2 * FORM_DAYS - 1))).get(ns.id) ?? []) : [];
      return { booking, days };
    },

    /**
     * Moves a booking to another window atomically: the new units are taken first; only if they fit are the old ones
     * given back, in the same transaction. A full window leaves everything as it was.
     */
    async reschedule(user: Principal, number: string, input: unknown) {
      const booking = await ownBooking(user, number);
      const { slot } = parseInput(rescheduleSchema, input);
      const ns = await findNodeService(db, booking.nodeId, booking.serviceId);
      if (!ns) throw new ConflictError('该网点已不再提供此项服务，请取消后重新预约。');
      const ref: NodeServiceRef = { ns, kind: booking.kind };
      if (slot.date === booking.date && slot.window === booking.window) throw new ValidationError({ slot: '新时段与原时段相同，请选择其他时段' });
      const window = await availability.check(ref, slot.date, slot.window);
      if (!window) throw new ValidationError({ slot: '请选择有效的预约时段' });
      if (window.unavailable && window.unavailable !== 'full') throw new ValidationError({ slot: `所选时段不可预约：${UNAVAILABLE_MESSAGES[window.unavailable]}` });
      if (window.free < booking.units) await refuseFull(ref, window, booking.units);

      try {
        await inTransaction(db, async (tx) => {
        const locked = await repo.lockBooking(tx, booking.id);
        if (!locked || !HOLDS_CAPACITY.includes(locked.status) || locked.status === 'needs_info') {
          throw new ConflictError(`预约当前状态为“${STATUS_LABELS[locked?.status ?? 'cancelled']}”，不能改期。`);
        }
        const taken = await takeUnits(tx, { nodeServiceId: ns.id, date: slot.date, window: slot.window, defaultCapacity: defaultCapacity(ns, booking.kind, slot.window), units: locked.units });
        if (!taken) throw new WindowTakenMeanwhile();
        if (locked.windowId !== null) await releaseUnits(tx, locked.windowId, locked.units);
        await repo.updateBooking(tx, locked.id, { date: slot.date, window: slot.window, windowId: taken!.id });
        await recordEvent(tx, {
          actorUserId: user.id,
          entityType: 'booking',
          entityId: locked.id,
          action: 'booking.rescheduled',
          fromState: locked.status,
          toState: locked.status,
          note: `${describeWindow(locked.date, locked.window)} → ${describeWindow(slot.date, slot.window)}`,
          data: { from: { date: locked.date, window: locked.window }, to: slot },
        });
        await notifyNodeStaff(tx, locked.nodeId, {
          bookingId: locked.id,
          title: `${locked.number} 已改期`,
          body: `预约 ${locked.number} 由 ${describeWindow(locked.date, locked.window)} 改为 ${describeWindow(slot.date, slot.window)}。`,
          link: `/lab/bookings/${locked.number}`,
        });
        });
      } catch (err) {
        if (err instanceof WindowTakenMeanwhile) await refuseFull(ref, (await availability.check(ref, slot.date, slot.window)) ?? { free: 0 }, booking.units);
        throw err;
      }
    },

    /** After staff asked for corrections (补正): the company explains, adds documents, and the booking goes back to the queue. */
    async resubmit(user: Principal, number: string, input: unknown, files: UploadedFile[]) {
      const booking = await ownBooking(user, number);
      const { note } = parseInput(resubmitSchema, input);
      const checked = await checkFiles(files, 0);
      const rows = await storeFiles(checked, user, { bookingId: booking.id, draftToken: null });
      try {
        await inTransaction(db, async (tx) => {
          await attachmentsRepo.insertAttachments(tx, rows);
          await applyTransition(tx, booking.id, 'resubmit', user, { note, data: { attachments: rows.map((r) => r.originalName) } });
        });
      } catch (err) {
        await storage.remove(rows.map((r) => r.storedName));
        throw err;
      }
    },

    async receipt(user: Principal, number: string) {
      const booking = await visibleBooking(user, number);
      return { booking, items: await repo.itemsOf(db, booking.id) };
    },

    /** Removes draft files of forms abandoned for a day (run periodically). */
    async sweepStaleDrafts(): Promise<number> {
      const removed = await attachmentsRepo.deleteStaleDrafts(db, 24);
      await storage.remove(removed);
      return removed.length;
    },
  };
}

export type BookingsService = ReturnType<typeof makeBookingsService>;
