import { lockFutureWindows, setWindowCapacity } from '../admin/network.repo.js';
import { assertCan, type Principal } from '../auth/access.js';
import type { Db, Executor } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { shanghaiDate, type Clock } from '../shared/time.js';
import { offeringWithNames, ownWindowsOf, replaceOwnWindows } from './capacity.repo.js';
import { describeWindow } from './availability.js';
import { FORM_ROWS, parseWindowForm, windowsAsRows, type WindowFormRow } from './windows.schemas.js';
import { isoWeekday, type ServiceWindow } from './windows.js';

export interface WindowsDeps {
  db: Db;
  clock: Clock;
  /** Public pages cache availability for a few seconds: told when windows change. */
  onChange?: () => void;
}

/**
 * Booked windows from today on take the new capacity of their window; one booked beyond it refuses the change
 * (named), as the half-day capacity form does. Windows the new definition drops keep their bookings.
 */
async function carryCapacity(ex: Executor, nodeServiceId: number, today: string, windows: Omit<ServiceWindow, 'nodeServiceId'>[]) {
  const booked = await lockFutureWindows(ex, nodeServiceId, today);
  const capacityOf = (date: string, code: string) => windows.find((w) => w.code === code && w.weekday === isoWeekday(date))?.capacity;
  const over = booked.filter((w) => w.used > (capacityOf(w.date, w.window) ?? w.used));
  if (over.length) {
    const list = over.slice(0, 5).map((w) => `${describeWindow(w.date, w.window)} 已约 ${w.used}`).join('；');
    throw new ValidationError({ _form: `名额不能低于已预约数：${list}。请先联系企业改期或取消。` }, `名额不能低于已预约数：${list}`);
  }
  for (const w of booked) {
    const capacity = capacityOf(w.date, w.window);
    if (capacity !== undefined && capacity !== w.capacity) await setWindowCapacity(ex, w.id, capacity);
  }
}

/**
 * A node's own booking windows per weekday, for each service it offers by units (not consultations): nights,
 * weekends and holidays only where the node says so. The node manager (or the platform admin) sets them.
 */
export function makeWindowsService(deps: WindowsDeps) {
  const { db } = deps;

  async function load(user: Principal, nodeId: number, offeringId: number) {
    assertCan(user, 'node.manage', { nodeId });
    const offering = await offeringWithNames(db, nodeId, offeringId);
    if (!offering || offering.kind === 'consultation') throw new NotFoundError('该服务项不存在，或按咨询时段办理。');
    return offering;
  }

  return {
    /** The page: the service, its windows as form rows (blank rows to add more), and the half-day capacity it falls back to. */
    async page(user: Principal, nodeId: number, offeringId: number, posted?: WindowFormRow[]) {
      const offering = await load(user, nodeId, offeringId);
      const own = await ownWindowsOf(db, [offering.id]);
      const rows = posted ?? windowsAsRows(own);
      return { offering, hasOwn: own.length > 0, rows: [...rows, ...Array.from({ length: Math.max(0, FORM_ROWS - rows.length) }, (): WindowFormRow => ({ label: '', start: '', end: '', capacity: '', days: [], holidays: false }))].slice(0, FORM_ROWS) };
    },

    /** Replaces the windows (none: back to the half days), audited with before and after. */
    async save(user: Principal, nodeId: number, offeringId: number, body: Record<string, unknown>) {
      const offering = await load(user, nodeId, offeringId);
      const windows = body.intent === 'reset' ? [] : parseWindowForm(body);
      await inTransaction(db, async (tx) => {
        const before = await ownWindowsOf(tx, [offering.id]);
        await carryCapacity(tx, offering.id, shanghaiDate(deps.clock.now()), windows);
        await replaceOwnWindows(tx, offering.id, windows);
        const note = windows.length ? `${offering.nodeName} ${offering.serviceName}：设置 ${windowsAsRows(windows.map((w) => ({ ...w, nodeServiceId: offering.id }))).length} 个收样时段` : `${offering.nodeName} ${offering.serviceName}：恢复上午 / 下午时段`;
        await recordEvent(tx, { actorUserId: user.id, entityType: 'node_service', entityId: offering.id, action: 'node_service.windows_changed', note, data: { before: before.map(({ nodeServiceId: _n, ...w }) => w), after: windows } });
      });
      deps.onChange?.();
      return { count: windows.length, offering };
    },
  };
}

export type WindowsService = ReturnType<typeof makeWindowsService>;
