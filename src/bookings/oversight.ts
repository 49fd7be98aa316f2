import { assertCan, type Principal } from '../auth/access.js';
import { listCategories, listParks } from '../catalog/catalog.repo.js';
import { addDays, isIsoDate, shanghaiDate, shanghaiStartOfDay } from '../shared/time.js';
import * as repo from './bookings.repo.js';
import { EVALUATION_LEVELS } from './bookings.schemas.js';
import type { BookingsDeps } from './context.js';
import { BOOKING_STATUSES, CLOSED_STATUSES, FINISHED_STATUSES, OPEN_STATUSES, STATUS_LABELS, type BookingStatus } from './lifecycle.js';

/**
 * The bookings behind a dashboard figure, read-only, for the administrators who see that dashboard: the platform
 * admin every booking, a park administrator the bookings of the park's companies (counted where the company was
 * when it booked, as the statistics count them), a node manager the node's. The filters are those of the figures —
 * submission period, node, category, park, service, state, evaluation — so a list's total is the figure clicked.
 */

const PAGE_SIZE = 25;

/** The groups of states a figure counts, in the lifecycle's own groupings. */
export const STATUS_GROUPS: Record<string, { label: string; statuses: readonly BookingStatus[]; overdue?: boolean }> = {
  open: { label: '在办', statuses: OPEN_STATUSES },
  overdue: { label: '在办已超期', statuses: OPEN_STATUSES, overdue: true },
  // 已办结 alone is the status of that name (listed under 按预约状态); the group is both stages after the report
  finished: { label: '已出报告（含已办结）', statuses: FINISHED_STATUSES },
  closed: { label: '已取消 / 不予受理', statuses: CLOSED_STATUSES },
};

export interface OversightQuery {
  from?: string;
  to?: string;
  node?: string;
  park?: string;
  category?: string;
  service?: string;
  status?: string;
  level?: string;
  enterprise?: string;
  page: number;
}

const id = (v: string | undefined) => (v && /^[1-9]\d{0,8}$/.test(v) ? Number(v) : undefined);

/** A state filter: a group's name, or states listed with commas (a stage of the lab's work). */
function statusFilter(status: string | undefined, today: string): { filter: Partial<repo.BookingFilter>; label?: string } {
  if (!status) return { filter: {} };
  const group = Object.hasOwn(STATUS_GROUPS, status) ? STATUS_GROUPS[status] : undefined;
  if (group) return { filter: { statuses: [...group.statuses], ...(group.overdue ? { dueBefore: today } : {}) }, label: group.label };
  const listed = status.split(',').filter((s): s is BookingStatus => (BOOKING_STATUSES as readonly string[]).includes(s));
  return listed.length ? { filter: { statuses: listed }, label: listed.map((s) => STATUS_LABELS[s]).join(' / ') } : { filter: {} };
}

/** The user's scope as a filter: nothing for the platform, the park or the node for the others. */
function scopeFilter(user: Principal): repo.BookingFilter {
  if (user.role === 'park_admin') return { bookingParkId: user.parkId };
  if (user.role === 'node_manager') return { nodeId: user.nodeId };
  return {};
}

/** The filter of a query within the user's scope, and the words that say what it holds. */
async function filterOf(deps: BookingsDeps, user: Principal, q: OversightQuery) {
  const [nodes, parks, categories] = await Promise.all([deps.reference.nodes({ includeInactive: true }), listParks(deps.db), listCategories(deps.db)]);
  const f: repo.BookingFilter = {};
  const said: string[] = [];
  const from = q.from && isIsoDate(q.from) ? q.from : undefined;
  const to = q.to && isIsoDate(q.to) ? q.to : undefined;
  if (from) f.createdFrom = shanghaiStartOfDay(from);
  if (to) f.createdBefore = shanghaiStartOfDay(addDays(to, 1));
  if (from || to) said.push(`提交于 ${from ?? '…'} 至 ${to ?? '…'}`);
  const node = nodes.find((n) => n.id === id(q.node));
  if (node && user.role !== 'node_manager') {
    f.nodeId = node.id;
    said.push(`网点：${node.name}`);
  }
  const park = q.park === 'none' ? null : parks.find((p) => p.id === id(q.park));
  if (park !== undefined && user.role === 'platform_admin') {
    f.bookingParkId = park?.id ?? null;
    said.push(`园区：${park?.name ?? '不在园区'}`);
  }
  const category = categories.find((c) => c.code === q.category);
  if (category) {
    f.categoryCode = category.code;
    said.push(`类别：${category.name}`);
  }
  if (q.service && /^[A-Z0-9-]{2,40}$/.test(q.service)) {
    f.serviceCode = q.service;
    said.push(`服务：${q.service}`);
  }
  const status = statusFilter(q.status, shanghaiDate(deps.clock.now()));
  Object.assign(f, status.filter);
  if (status.label) said.push(`状态：${status.label}`);
  if (q.level && /^[0-5]$/.test(q.level)) {
    f.evaluationLevel = Number(q.level);
    said.push(q.level === '0' ? '已评价' : `评价：${EVALUATION_LEVELS[Number(q.level) as keyof typeof EVALUATION_LEVELS]}`);
  }
  if (id(q.enterprise)) f.enterpriseId = id(q.enterprise);
  return { filter: { ...f, ...scopeFilter(user) }, said, options: { nodes: user.role === 'node_manager' ? [] : nodes, parks: user.role === 'platform_admin' ? parks : [], categories } };
}

/** One page of the bookings behind a figure, newest first, with the words for the filters and the filter choices. */
export async function oversightList(deps: BookingsDeps, user: Principal, query: OversightQuery) {
  assertCan(user, 'booking.oversee');
  const { filter, said, options } = await filterOf(deps, user, query);
  const { rows, total } = await repo.listBookings(deps.db, filter, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE });
  return { rows, total, page: query.page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)), said, options, staff: user.role === 'node_manager' };
}
