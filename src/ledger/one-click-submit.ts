import { assertCan, type Principal } from '../auth/access.js';
import { findNumberByIdempotencyKey } from '../bookings/bookings.repo.js';
import { insertPreparedBooking, WindowTakenMeanwhile } from '../bookings/create.js';
import { prepareBooking, type PreparedBooking } from '../bookings/prepare.js';
import { pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { findEnterpriseById } from '../enterprises/enterprises.repo.js';
import { recordEvent } from '../events/record.js';
import { ConflictError, ValidationError } from '../shared/errors.js';
import type { LedgerDeps } from './context.js';
import * as repo from './ledger.repo.js';
import { alreadyBooked, bookingLine, groupByService, MAX_LINES_PER_BOOKING, selectedEntries, type BookedEntry, type Entry } from './one-click.js';

/* 一键预约, the confirmation: one booking per service and node, each through the booking form's own checks
   (prepareBooking) and writer (insertPreparedBooking, capacity taken by the conditional UPDATE) — all of them in one
   transaction, so either every booking is made or none. */

const COMPANY_FIELDS = new Set(['contactName', 'contactMobile', 'remarks', 'onsiteAddress']);
const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** The ids the list posted (ids[] checkboxes or hidden fields), numeric and distinct. */
export function idsOf(value: unknown): number[] {
  return [...new Set([value ?? []].flat().filter((x): x is string => typeof x === 'string' && /^[1-9]\d{0,8}$/.test(x)).map(Number))];
}

/** A group's fields of the confirmation form carry the service code: slot-CAL-PG, node-CAL-PG … */
type Group = { service: { code: string; name: string }; entries: Entry[] };
const groupField = (name: string, g: Group) => `${name}-${g.service.code}`;

/** The booking form's body for one group: the same fields a person would post there. */
function bookingBody(g: Group, body: Record<string, unknown>): Record<string, unknown> {
  return {
    service: g.service.code,
    node: text(body[groupField('node', g)]),
    slot: text(body[groupField('slot', g)]),
    deliveryMode: text(body[groupField('deliveryMode', g)]),
    onsiteAddress: text(body.onsiteAddress),
    items: g.entries.map(bookingLine),
    contactName: body.contactName,
    contactMobile: body.contactMobile,
    remarks: text(body.remarks),
    idempotencyKey: text(body[groupField('key', g)]),
  };
}

/** Every group checked before anything is written; each problem keyed to its group's field. */
async function prepareAll(deps: LedgerDeps, user: Principal, groups: Group[], body: Record<string, unknown>): Promise<PreparedBooking[]> {
  const errors: Record<string, string> = {};
  const prepared: PreparedBooking[] = [];
  for (const g of groups) {
    if (g.entries.length > MAX_LINES_PER_BOOKING) {
      errors[groupField('items', g)] = `${g.service.name}：同一项服务一次最多预约 ${MAX_LINES_PER_BOOKING} 台，请减少勾选或分批预约`;
      continue;
    }
    try {
      prepared.push(await prepareBooking(deps, user, bookingBody(g, body)));
    } catch (err) {
      if (err instanceof ValidationError) {
        for (const [key, message] of Object.entries(err.fieldErrors)) {
          const field = COMPANY_FIELDS.has(key) ? key : groupField(key.startsWith('items') ? 'items' : key, g);
          errors[field] ??= COMPANY_FIELDS.has(key) ? message : `${g.service.name}：${key.startsWith('items.') ? `第 ${Number(key.split('.')[1]) + 1} 台，` : ''}${message}`;
        }
      } else if (err instanceof ConflictError && err.code === 'window_full') errors[groupField('slot', g)] = `${g.service.name}：${err.message}`;
      else throw err;
    }
  }
  if (Object.keys(errors).length) throw new ValidationError(errors, '有预约需要修改，请按提示核对。全部无误后才会一起提交，在此之前不会提交任何一个。');
  return prepared;
}

/** Refuses the confirmation when an instrument in it has an open booking, naming it and the booking. */
function refuseBooked(booked: BookedEntry[]): void {
  if (!booked.length) return;
  const names = booked.map((b) => `${b.entry.name}（${b.entry.serialNo}，预约 ${b.numbers.join('、')}）`).join('、');
  throw new ValidationError({ ids: `已有进行中的预约，不能重复预约：${names}` }, `${booked.length} 台器具已有进行中的预约，没有提交任何预约。请返回台账重新选择。`);
}

/** After a rollback: which windows filled up meanwhile (read again, outside the transaction). */
async function fullWindows(deps: LedgerDeps, prepared: PreparedBooking[]): Promise<never> {
  const errors: Record<string, string> = {};
  for (const p of prepared) {
    const now = await deps.availability.check(p.ref, p.date, p.window);
    if ((now?.free ?? 0) < p.units) errors[`slot-${p.service.code}`] = `${p.service.name}：${now?.free ? `这个时段只剩 ${now.free} 个名额，请改选其他时段` : '这个时段刚刚约满，请改选其他时段'}`;
  }
  throw new ValidationError(errors, '提交时有时段刚刚约满，没有提交任何预约。请改选时段后再提交。');
}

export async function bookFromLedger(deps: LedgerDeps, user: Principal, body: Record<string, unknown>): Promise<{ numbers: string[]; duplicate: boolean }> {
  assertCan(user, 'ledger.manage');
  const ids = idsOf(body.ids);
  const entries = ids.length ? await selectedEntries(deps, user, ids) : [];
  if (entries.length === 0) throw new ValidationError({ ids: '请先在台账中勾选要预约的器具' }, '请先在台账中勾选要预约的器具。');
  const { groups } = await groupByService(deps, entries);
  if (groups.length === 0) throw new ValidationError({ ids: '所选器具暂无可在线预约的检定/校准服务' }, '所选器具暂无可在线预约的检定/校准服务。');
  // Submitted twice (double click, back button): the bookings were made together, so the first key answers for all.
  const existing = await Promise.all(groups.map((g) => findNumberByIdempotencyKey(deps.db, user.enterpriseId, text(body[groupField('key', g)]))));
  if (existing.every(Boolean)) return { numbers: existing as string[], duplicate: true };
  refuseBooked(await alreadyBooked(deps.db, user.enterpriseId, entries));
  const prepared = await prepareAll(deps, user, groups, body);
  const company = await findEnterpriseById(deps.db, user.enterpriseId);
  try {
    const numbers = await inTransaction(deps.db, async (tx) => {
      // Read again under the company's lock: another 一键预约 (a second tab) may have booked one of them meanwhile.
      await repo.lockOneClickOf(tx, user.enterpriseId);
      refuseBooked(await alreadyBooked(tx, user.enterpriseId, entries));
      const made: string[] = [];
      for (const p of prepared) made.push((await insertPreparedBooking(tx, deps.clock, p, { enterpriseId: user.enterpriseId, parkId: company?.parkId ?? null, createdBy: user.id }, { attachments: [] })).number);
      await recordEvent(tx, { actorUserId: user.id, entityType: 'enterprise', entityId: user.enterpriseId, action: 'ledger.one_click_booked', note: `从台账一键预约 ${entries.length} 台：${made.join('、')}`, data: { bookings: made, instruments: entries.map((e) => e.id) } });
      return made;
    });
    return { numbers, duplicate: false };
  } catch (err) {
    if (err instanceof WindowTakenMeanwhile) return fullWindows(deps, prepared);
    if (pgErrorCode(err) === UNIQUE_VIOLATION) {
      const again = await Promise.all(prepared.map((p) => findNumberByIdempotencyKey(deps.db, user.enterpriseId, p.idempotencyKey)));
      if (again.every(Boolean)) return { numbers: again as string[], duplicate: true };
    }
    throw err;
  }
}
