import type { Principal } from '../auth/access.js';
import { listNodes } from '../catalog/catalog.repo.js';
import type { Db } from '../db/client.js';
import { NotFoundError } from '../shared/errors.js';
import { addDays, isIsoDate, shanghaiDate, type Clock } from '../shared/time.js';
import { datesInRange } from '../calendar/workdays.js';
import { heldUntilHorizon, nodeDayCheck, schedule } from './availability.js';
import { EQUIPMENT_CATEGORIES, MODES, rateFor, USER_CATEGORIES, userCategoryOf, type UserCategory } from './domain.js';
import * as repo from './equipment.repo.js';
import { gridTimes, lastBookableDate } from './time-rules.js';

const DAYS_SHOWN = 7;

/** The public face of open sharing: the list of instruments, and one instrument with its week and booking form. */
export function makeEquipmentCatalog(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  return {
    async list(filter: repo.EquipmentFilter) {
      const [rows, nodes, used] = await Promise.all([repo.listPublicEquipment(db, filter), listNodes(db), repo.usedCategories(db)]);
      return { rows, nodes: nodes.filter((n) => n.active), categories: EQUIPMENT_CATEGORIES.filter((c) => used.includes(c)) };
    },

    /** One instrument: its rates, the week from `from` (busy and free times), and what the viewer's company may book. */
    async detail(user: Principal | undefined, id: number, from?: string) {
      const eq = await repo.findEquipment(db, id);
      if (!eq || eq.review !== 'approved' || !eq.nodeActive) throw new NotFoundError('该设备不存在或已下架。');
      const now = clock.now();
      const today = shanghaiDate(now);
      const last = lastBookableDate(now, eq.horizonDays);
      const start = from && isIsoDate(from) && from > today && from <= last ? from : today;
      const dates = datesInRange(start, addDays(start, DAYS_SHOWN - 1));
      const dayCheck = await nodeDayCheck(db, eq.nodeId, start, dates[dates.length - 1]!);
      const rows = await heldUntilHorizon(db, eq.id, now, eq.horizonDays);
      const enterpriseId = user?.role === 'enterprise' ? user.enterpriseId : null;
      const week = schedule(dates, eq, dayCheck, rows, now, enterpriseId);
      const rateRows = USER_CATEGORIES.map((c) => ({ category: c, rates: Object.fromEntries(MODES.map((m) => [m, rateFor(eq.rates, c, m)])) }));
      return {
        equipment: eq,
        week,
        rateRows,
        weekNav: { today, last, prev: start > today ? (addDays(start, -DAYS_SHOWN) < today ? today : addDays(start, -DAYS_SHOWN)) : null, next: addDays(start, DAYS_SHOWN) <= last ? addDays(start, DAYS_SHOWN) : null },
        times: gridTimes(eq.openFrom, eq.openUntil),
        booker: enterpriseId === null ? null : await bookerContext(eq, user!.id, enterpriseId, today, now),
      };
    },
  };

  /** The signed-in company's side of the form: its rate category, the user's training, a suspension. */
  async function bookerContext(eq: repo.EquipmentWithNode, userId: number, enterpriseId: number, today: string, now: Date) {
    const [company, training, suspension] = await Promise.all([repo.findEnterprise(db, enterpriseId), repo.trainingInForce(db, eq.id, userId, today), repo.activeSuspension(db, enterpriseId, now)]);
    const category: UserCategory = company ? userCategoryOf(company) : 'other';
    const modes = MODES.filter((m) => eq.modes.includes(m) && rateFor(eq.rates, category, m) !== undefined);
    // The form starts on a way of use this person may choose: without a training record in force, 委托操作 (an outside
    // reviewer's plain submit was refused because 机时自主使用 was preselected).
    const defaultMode = !training && modes.includes('assisted') ? 'assisted' : modes[0];
    return { category, training: training ?? null, suspension: suspension ?? null, modes, defaultMode };
  }
}

export type EquipmentCatalog = ReturnType<typeof makeEquipmentCatalog>;
