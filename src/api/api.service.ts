import { BOOKING_STATUSES } from '../bookings/lifecycle.js';
import type { Principal } from '../auth/access.js';
import type { Availability, NodeServiceRef } from '../capacity/availability.js';
import { findNodeService } from '../capacity/capacity.repo.js';
import { findServiceByCode } from '../catalog/catalog.repo.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { BookingsService } from '../bookings/bookings.service.js';
import type { Db } from '../db/client.js';
import type { LabService } from '../lab/lab.service.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { assertCan } from '../auth/access.js';
import type { ReportsService } from '../reports/reports.service.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { addDays, isIsoDate, shanghaiDate, type Clock } from '../shared/time.js';
import { standardsInService } from '../standards/standards.repo.js';
import { BOOKING_FORM_PURPOSES, type UploadedFile } from '../uploads/purposes.js';
import { MAX_FILE_BYTES, MAX_FILES } from '../uploads/quota.js';
import { importable, importExpiresAt, type ImportRow } from '../ledger/import.js';
import * as repo from './api.repo.js';

export interface ApiDeps {
  db: Db;
  bookings: BookingsService;
  catalog: CatalogService;
  availability: Availability;
  reports: ReportsService;
  lab: LabService;
  ledger: LedgerService;
  clock: Clock;
}

const MAX_PAGE = 100;
/** The lab steps a node's LIMS may take; verifying, signing and issuing stay with people in the web app. */
export const LAB_API_ACTIONS = ['accept', 'receive', 'start', 'submit_results'] as const;
export type LabApiAction = (typeof LAB_API_ACTIONS)[number];

const encodeCursor = (id: number) => Buffer.from(`b:${id}`).toString('base64url');

type InstrumentRow = NonNullable<Awaited<ReturnType<typeof repo.instrumentById>>>;
const toInstrument = (r: InstrumentRow) => ({ ...r, compulsory: Boolean(r.compulsory) });
function decodeCursor(cursor: string | undefined): number | undefined {
  if (!cursor) return undefined;
  const m = /^b:(\d{1,12})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new ValidationError({ cursor: '分页游标无效' });
  return Number(m[1]);
}

function pageSize(limit: string | undefined): number {
  if (limit === undefined) return 20;
  if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_PAGE) throw new ValidationError({ limit: `每页条数应为 1 至 ${MAX_PAGE}` });
  return Number(limit);
}

const iso = (d: Date | string | null) => (d === null ? null : d instanceof Date ? d.toISOString() : d);

function toBooking(row: Awaited<ReturnType<typeof repo.bookingByNumber>> & object) {
  const { id: _id, submittedAt, ...rest } = row;
  return { ...rest, submittedAt: iso(submittedAt)! };
}

export interface ListQuery {
  cursor?: string;
  limit?: string;
  status?: string;
  service?: string;
  from?: string;
  to?: string;
}

/** JSON numbers and booleans become the strings the web forms send, so one set of form rules checks both. */
export function asFormBody(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'on' : '';
  if (Array.isArray(value)) return value.map(asFormBody);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asFormBody(v)]));
  return value;
}

/**
 * Attachments sent in JSON (`attachments: [{ purpose, name, contentBase64 }]`) as the files the booking form carries:
 * the same purposes and limits, and the content itself is checked by the bookings service exactly as for the form.
 */
export function attachmentsOf(body: unknown): UploadedFile[] {
  const list = (body as { attachments?: unknown } | null)?.attachments;
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.length > MAX_FILES) throw new ValidationError({ attachments: `附件格式不正确，一次最多 ${MAX_FILES} 个` });
  return list.map((a: unknown, i) => {
    const { purpose, name, contentBase64 } = (a ?? {}) as Record<string, unknown>;
    if (typeof purpose !== 'string' || !(BOOKING_FORM_PURPOSES as string[]).includes(purpose)) throw new ValidationError({ [`attachments.${i}.purpose`]: '附件用途不正确' });
    if (typeof name !== 'string' || name.length < 1 || name.length > 200) throw new ValidationError({ [`attachments.${i}.name`]: '请填写附件文件名' });
    if (typeof contentBase64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(contentBase64)) throw new ValidationError({ [`attachments.${i}.contentBase64`]: '附件内容应为 Base64 编码' });
    const buffer = Buffer.from(contentBase64, 'base64');
    if (buffer.length === 0 || buffer.length > MAX_FILE_BYTES) throw new ValidationError({ [`attachments.${i}.contentBase64`]: '附件为空或超过 10 MB' });
    return { purpose: purpose as UploadedFile['purpose'], originalname: name, buffer, size: buffer.length };
  });
}

type ImportDraft = Awaited<ReturnType<LedgerService['importDraft']>>;

/** A row's problems by field: the ledger rules' own messages, and duplicates (on the serial number) in the words of the web preview. */
function rowProblems(r: ImportRow): { field: string; message: string }[] {
  const own = r.fieldErrors ?? r.errors.map((message) => ({ field: 'row', message }));
  return [
    ...own,
    ...(r.duplicateLine ? [{ field: 'serialNo', message: `与第 ${r.duplicateLine} 行重复（同一类别、同一出厂编号）` }] : []),
    ...(r.duplicateOf ? [{ field: 'serialNo', message: `台账中已有该器具：${r.duplicateOf.name}（${r.duplicateOf.serialNo}）` }] : []),
  ];
}

/** An import preview as the API shows it: counts, expiry, and every row with whether it will be imported and why not. */
function toImportPreview(draft: ImportDraft) {
  const rows = draft.rows as ImportRow[];
  return {
    token: draft.token,
    fileName: draft.fileName,
    status: draft.importedAt ? ('imported' as const) : ('preview' as const),
    createdAt: iso(draft.createdAt)!,
    expiresAt: iso(importExpiresAt(draft))!,
    importedAt: iso(draft.importedAt),
    importedCount: draft.importedCount ?? null,
    total: draft.total,
    valid: draft.valid,
    invalid: draft.total - draft.valid,
    duplicates: rows.filter((r) => r.duplicateOf || r.duplicateLine).length,
    rows: rows.map((r) => ({
      line: r.line,
      name: r.name,
      serialNo: r.serialNo,
      category: r.values?.categoryCode ?? r.category,
      importable: importable(r),
      errors: rowProblems(r),
      duplicateOf: r.duplicateOf ?? null,
      duplicateLine: r.duplicateLine ?? null,
    })),
  };
}

export function makeApiService(deps: ApiDeps) {
  const { db } = deps;

  async function listBookings(user: Principal, q: ListQuery, scope: repo.CursorFilter) {
    const limit = pageSize(q.limit);
    for (const k of ['from', 'to'] as const) if (q[k] !== undefined && !isIsoDate(q[k])) throw new ValidationError({ [k]: '日期格式应为 年-月-日' });
    // An unknown state would reach the database as an invalid enum value (a 500): refused here with the list of states.
    const unknown = q.status?.split(',').filter((st) => !(BOOKING_STATUSES as readonly string[]).includes(st)) ?? [];
    if (unknown.length) throw new ValidationError({ status: `未知的办理状态：${unknown.join('、').slice(0, 60)}。可用的状态：${BOOKING_STATUSES.join(', ')}` });
    const filter: repo.CursorFilter = { ...scope, ...(q.status ? { statuses: q.status.split(',') } : {}), ...(q.service ? { service: q.service } : {}), ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) };
    const before = decodeCursor(q.cursor);
    if (before !== undefined) filter.before = before;
    const rows = await repo.bookingsPage(db, filter, limit);
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    return { data: page.map(toBooking), nextCursor: more ? encodeCursor(page[page.length - 1]!.id) : null };
  }

  return {
    async services() {
      const { services } = await deps.catalog.listServices({});
      return services.map((s) => ({ code: s.code, name: s.name, category: s.categoryName, bookingKind: s.bookingKind, summary: s.summary ?? null, turnaroundDays: s.turnaroundDays ?? null, standards: s.standards ?? null }));
    },

    async nodes() {
      const nodes = await deps.catalog.listNodes();
      return nodes.map((n) => ({ id: n.id, code: n.code, name: n.name, kind: n.kind, park: n.parkName ?? null, address: n.address ?? null, phone: n.phone ?? null, hours: n.hours ?? null }));
    },

    /** The windows of one service at one node with their free units (the same figures the booking form shows). */
    async availability(q: { service?: string; node?: string; from?: string; to?: string }) {
      const service = q.service ? await findServiceByCode(db, q.service) : undefined;
      if (!service || !service.active) throw new ValidationError({ service: '请填写有效的服务编码' });
      const ns = q.node && /^\d{1,9}$/.test(q.node) ? await findNodeService(db, Number(q.node), service.id) : undefined;
      if (!ns) throw new ValidationError({ node: '该网点不提供此项服务' });
      const { today, last } = deps.availability.bookingRange();
      const from = q.from && isIsoDate(q.from) && q.from > today ? q.from : today;
      const to = q.to && isIsoDate(q.to) && q.to < last ? q.to : addDays(from, 13) < last ? addDays(from, 13) : last;
      const ref: NodeServiceRef = { ns, kind: service.bookingKind };
      const days = (await deps.availability.forNodeServices([ref], from, to)).get(ns.id) ?? [];
      return days.flatMap((d) => d.windows.map((w) => ({ date: d.date, window: w.key, label: w.label, capacity: w.capacity, free: w.free, available: w.free > 0 && !w.unavailable })));
    },

    /** A company key: its company's bookings; a node key: its node's; the platform: all. */
    listBookings(user: Principal, q: ListQuery) {
      const scope: repo.CursorFilter = user.role === 'enterprise' ? { enterpriseId: user.enterpriseId } : user.role === 'node_manager' || user.role === 'lab_staff' ? { nodeId: user.nodeId } : {};
      if (user.role === 'park_admin') throw new ForbiddenError();
      return listBookings(user, q, scope);
    },

    async booking(user: Principal, number: string) {
      const detail = await deps.bookings.detail(user, number);
      const row = await repo.bookingByNumber(db, number);
      if (!row) throw new NotFoundError();
      return {
        ...toBooking(row),
        items: detail.items.map((i) => Object.fromEntries(Object.entries(i).filter(([k]) => !['bookingId'].includes(k)))),
        reports: detail.reports.map((r) => ({ number: r.report.number, version: r.report.version, status: r.report.status })),
        timeline: detail.timeline.map((e) => ({ action: e.action, toState: e.toState ?? null, at: iso(e.at)! })),
      };
    },

    /** A booking; `requestFingerprint` (requestFingerprint of idempotency.ts) is kept with the key: a reused key with another request is refused. */
    async create(user: Principal, body: unknown, idempotencyKey: string, requestFingerprint: string) {
      const files = attachmentsOf(body);
      const { attachments: _files, ...fields } = (body ?? {}) as Record<string, unknown>;
      const form = { ...(asFormBody(fields) as Record<string, unknown>), idempotencyKey };
      return deps.bookings.submit(user, form, files, { channel: 'api', requestFingerprint });
    },

    async report(user: Principal, number: string, version: number) {
      const { booking, report, pdf, content } = await deps.reports.view(user, number, version);
      return { number: report.number, version: report.version, status: report.status, issuedAt: iso(report.issuedAt), bookingNumber: booking.number, content: content as unknown as Record<string, unknown>, hasPdf: Boolean(pdf?.id) };
    },

    async verify(q: { number?: string; code?: string }) {
      if (!q.number || !q.code) throw new ValidationError({ ...(q.number ? {} : { number: '请填写报告编号' }), ...(q.code ? {} : { code: '请填写防伪校验码' }) });
      const result = await deps.reports.verify({ number: q.number, code: q.code });
      return { found: Boolean(result), result: result ? (result as unknown as Record<string, unknown>) : null };
    },

    cancel: (user: Principal, number: string, body: unknown) => deps.bookings.cancel(user, number, asFormBody(body ?? {})),
    reschedule: (user: Principal, number: string, body: unknown) => deps.bookings.reschedule(user, number, asFormBody(body ?? {})),

    /** A company's instrument ledger (company keys), newest entries first. */
    async instruments(user: Principal, q: { cursor?: string; limit?: string }) {
      assertCan(user, 'ledger.manage');
      const limit = pageSize(q.limit);
      const rows = await repo.instrumentsPage(db, user.enterpriseId, decodeCursor(q.cursor), limit);
      const page = rows.slice(0, limit);
      return { data: page.map(toInstrument), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.id) : null };
    },

    async instrument(user: Principal, id: number) {
      assertCan(user, 'ledger.manage');
      const row = await repo.instrumentById(db, user.enterpriseId, id);
      if (!row) throw new NotFoundError('该器具不存在。');
      return toInstrument(row);
    },

    /** The ledger's own create and update (same checks, duplicates refused, audited). */
    createInstrument: (user: Principal, body: unknown) => deps.ledger.create(user, asFormBody(body ?? {})),
    updateInstrument: (user: Principal, id: number, body: unknown) => deps.ledger.update(user, id, asFormBody(body ?? {})),

    /** Instrument import (company keys): a preview from the template's XLSX file or from rows as JSON — the web import's own rules. */
    previewImportFile: (user: Principal, files: UploadedFile[]) => deps.ledger.previewImport(user, files),
    previewImportRows: (user: Principal, body: unknown) => deps.ledger.previewImportRows(user, body),
    importPreview: async (user: Principal, token: string) => toImportPreview(await deps.ledger.importDraft(user, token)),
    /** All valid rows of the preview in one transaction, or none (the web import's confirm). */
    confirmImport: async (user: Principal, token: string) => ({ token, imported: await deps.ledger.confirmImport(user, token) }),

    /** The node's measurement standards in service, with their ids for `cal.i<item>.standards` (node keys). */
    async labStandards(user: Principal) {
      if (user.nodeId === null) throw new ForbiddenError();
      const today = shanghaiDate(deps.clock.now());
      return (await standardsInService(db, user.nodeId)).map((s) => ({ id: s.id, name: s.name, certificateNo: s.certificateNo, measuringRange: s.measuringRange, accuracy: s.accuracy, validUntil: s.validUntil, categoryCodes: s.categoryCodes, inDate: s.validUntil >= today }));
    },

    labAction(user: Principal, number: string, action: LabApiAction, body: unknown) {
      return deps.lab.act(user, number, action, asFormBody(body ?? {}) as Record<string, unknown>, []);
    },
  };
}

export type ApiService = ReturnType<typeof makeApiService>;
