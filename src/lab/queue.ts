import { assertCan, type Principal } from '../auth/access.js';
import * as bookingsRepo from '../bookings/bookings.repo.js';
import { CLOSED_STATUSES, FINISHED_STATUSES, isOpen, OPEN_STATUSES } from '../bookings/lifecycle.js';
import { addWorkingDays } from '../calendar/workdays.js';
import { isIsoDate } from '../shared/time.js';
import { todayOf, type LabDeps } from './context.js';
import * as repo from './lab.repo.js';
import { QUEUE_TABS, type QueueTab } from './lab.view.js';

const PAGE_SIZE = 25;
/** Finished and closed work grows without end: its counts stop here instead of counting every row on each view. */
const COUNT_CAP = 9999;

export interface QueueQuery {
  tab?: string;
  service?: string;
  enterprise?: string;
  from?: string;
  to?: string;
  assignee?: string;
  mine?: string;
  q?: string;
  page: number;
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
  const page = { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE };
  const [node, stages, list, staff, services] = await Promise.all([
    reference.node(user.nodeId),
    bookingsRepo.countStages(db, scope, [...OPEN_STATUSES], { done: [...FINISHED_STATUSES], closed: [...CLOSED_STATUSES] }, COUNT_CAP),
    // A tab's total is its count among the stages; only a search across stages needs a count of its own.
    searching
      ? bookingsRepo.listBookings(db, scope, { ...page, order: 'recent', countCap: COUNT_CAP })
      : bookingsRepo.pageOfBookings(db, { ...scope, statuses: [...tab.statuses] }, { ...page, order: finished ? 'recent' : 'due' }).then((rows) => ({ rows, total: undefined })),
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
  const total = list.total ?? countOf(tab);
  return {
    tab: tab.key,
    tabs: QUEUE_TABS.map((t) => ({ key: t.key, label: t.label, count: capLabel(countOf(t)), any: countOf(t) > 0 })),
    rows,
    total: capLabel(total),
    page: query.page,
    pages: Math.max(1, Math.ceil(Math.min(total, COUNT_CAP) / PAGE_SIZE)),
    finished,
    searching,
    staff,
    services,
    node,
    today,
  };
}
