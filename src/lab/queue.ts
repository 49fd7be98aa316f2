import { assertCan, type Principal } from '../auth/access.js';
import * as bookingsRepo from '../bookings/bookings.repo.js';
import { CLOSED_STATUSES, FINISHED_STATUSES, isOpen, OPEN_STATUSES } from '../bookings/lifecycle.js';
import { addWorkingDays } from '../calendar/workdays.js';
import { isIsoDate } from '../shared/time.js';
import { todayOf, type LabDeps } from './context.js';
import * as repo from './lab.repo.js';
import { QUEUE_TABS, type QueueTab } from './lab.view.js';

const PAGE_SIZE = 25;
/**
 * Finished and closed work (and a search's matches) grow without end: their counts stop here ("1000+") instead of
 * counting every row on each view. Pages no longer need the total: they are read by keyset (下一页 / 上一页).
 */
const COUNT_CAP = 1000;

export interface QueueQuery {
  tab?: string;
  service?: string;
  enterprise?: string;
  from?: string;
  to?: string;
  assignee?: string;
  mine?: string;
  q?: string;
  /** The page shown is the one after / before this booking (its id) in the tab's order; absent or malformed: the first. */
  after?: string;
  before?: string;
  /** The page's number, for display only (an old ?page=N without a cursor starts from the first page). */
  page: number;
}

/** The cursor of a page link, or none (then the first page): only a plain id is one. */
export function cursorOf(query: Pick<QueueQuery, 'after' | 'before'>): bookingsRepo.PageCursor | undefined {
  const id = (value: string | undefined) => (value && /^\d{1,9}$/.test(value) ? Number(value) : undefined);
  const after = id(query.after);
  if (after) return { id: after, dir: 'next' };
  const before = id(query.before);
  return before ? { id: before, dir: 'prev' } : undefined;
}

function filterOf(user: { id: number; nodeId: number }, query: QueueQuery): bookingsRepo.BookingFilter {
  const scope: bookingsRepo.BookingFilter = { nodeId: user.nodeId };
  if (query.service) scope.serviceCode = query.service;
  if (query.from && isIsoDate(query.from)) scope.dateFrom = query.from;
  if (query.to && isIsoDate(query.to)) scope.dateTo = query.to;
  if (query.q || query.enterprise) scope.q = query.q || query.enterprise;
  if (query.mine) scope.assignedTo = user.id;
  else if (query.assignee && /^\d{1,9}$/.test(query.assignee)) scope.assignedTo = Number(query.assignee);
  return scope;
}

const capLabel = (n: number) => (n > COUNT_CAP ? `${COUNT_CAP}+` : String(n));

/** The node's queue: one tab (stage) with counts for all, filters, search, due-date order, pagination. */
export async function nodeQueue(deps: LabDeps, user: Principal, query: QueueQuery) {
  assertCan(user, 'lab.queue');
  const { db, reference } = deps;
  const tab: QueueTab = QUEUE_TABS.find((t) => t.key === query.tab) ?? QUEUE_TABS[0];
  // A search looks in every stage: staff look a booking up by its number without knowing where it is.
  const searching = !!(query.q || query.enterprise);
  const scope = filterOf(user, query);
  const finished = tab.key === 'done' || tab.key === 'closed';
  const listFilter = searching ? scope : { ...scope, statuses: [...tab.statuses] };
  const order = finished || searching ? 'recent' : 'due';
  const cursor = cursorOf(query);
  const readPage = async (from: bookingsRepo.PageCursor | undefined) => {
    const read = await bookingsRepo.keysetPageOfBookings(db, listFilter, { limit: PAGE_SIZE, order, cursor: from });
    // A cursor whose booking is gone (or moved out of this list's reach) shows nothing: start over from the first page.
    return from && read.rows.length === 0 ? { ...(await bookingsRepo.keysetPageOfBookings(db, listFilter, { limit: PAGE_SIZE, order })), from: undefined } : { ...read, from };
  };
  const [node, stages, list, searchTotal, staff, services] = await Promise.all([
    reference.node(user.nodeId),
    bookingsRepo.countStages(db, scope, [...OPEN_STATUSES], { done: [...FINISHED_STATUSES], closed: [...CLOSED_STATUSES] }, COUNT_CAP),
    readPage(cursor),
    // A tab's total is its count among the stages; only a search across stages needs a count of its own.
    searching ? bookingsRepo.countBookings(db, scope, COUNT_CAP) : Promise.resolve(undefined),
    repo.staffOfNode(db, user.nodeId),
    reference.servicesOfNode(user.nodeId),
  ]);
  const today = todayOf(deps);
  const soon = addWorkingDays(today, 1);
  const rows = list.rows.map((b) => {
    const open = isOpen(b.status);
    return { ...b, overdue: open && !!b.dueDate && b.dueDate < today, dueSoon: open && !!b.dueDate && b.dueDate >= today && b.dueDate <= soon };
  });
  const countOf = (t: QueueTab) => (t.key === 'done' || t.key === 'closed' ? stages.capped[t.key] : t.statuses.reduce((sum, st) => sum + (stages.byStatus.get(st) ?? 0), 0));
  const total = searchTotal ?? countOf(tab);
  // Links to the neighbouring pages carry the first / last booking shown; reading backwards, `more` means earlier pages.
  const backwards = list.from?.dir === 'prev';
  const hasPrev = list.from ? (backwards ? list.more : true) : false;
  const hasNext = list.from ? (backwards ? true : list.more) : list.more;
  const pageNumber = !hasPrev ? 1 : Math.max(2, query.page);
  return {
    tab: tab.key,
    tabs: QUEUE_TABS.map((t) => ({ key: t.key, label: t.label, count: capLabel(countOf(t)), any: countOf(t) > 0 })),
    rows,
    total: capLabel(total),
    page: pageNumber,
    prev: hasPrev && rows.length ? { before: String(rows[0]!.id), page: String(pageNumber - 1) } : undefined,
    next: hasNext && rows.length ? { after: String(rows[rows.length - 1]!.id), page: String(pageNumber + 1) } : undefined,
    finished,
    searching,
    staff,
    services,
    node,
    today,
  };
}
