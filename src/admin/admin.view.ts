import { ROLE_LABELS } from '../auth/auth.view.js';
import { BOOKING_KIND_LABELS, DELIVERY_MODE_LABELS, NODE_KIND_LABELS } from '../catalog/catalog.view.js';
import type { Dashboard } from '../stats/dashboard.js';
import { formatCell } from '../stats/export.js';
import { groupThousands } from '../fees/fees.view.js';
import type { PeriodQuery } from '../stats/period.js';
import { PERIOD_PRESETS } from '../stats/stats.view.js';
import type { NodeRow, OfferingRow, ServiceRowFull } from './network.repo.js';

/** The one set of URL builders of the management pages: links, redirects, the header's shortcuts. */
export const adminHref = {
  dashboard: '/admin',
  nodes: '/admin/nodes',
  node: (id: number) => `/admin/nodes/${id}`,
  services: '/admin/services',
  users: '/admin/users',
  enterprises: '/admin/enterprises',
  pendingReviews: '/admin/enterprises?review=pending',
  audit: '/admin/audit',
  fees: '/admin/fees',
  oilLimits: '/admin/oil-limits',
  calendar: '/admin/calendar',
};

/** The platform's sections, in the sub-navigation of every management page. */
export const ADMIN_SECTIONS = [
  { href: adminHref.dashboard, label: '统计看板' },
  { href: '/admin/bookings', label: '预约明细' },
  { href: adminHref.nodes, label: '网点' },
  { href: adminHref.services, label: '服务目录' },
  { href: '/admin/bundles', label: '一件事套餐' },
  { href: '/chains', label: '一件事申请' },
  { href: '/coordinator/needs', label: '质量需求' },
  { href: '/admin/coordinators', label: '协调人' },
  { href: adminHref.fees, label: '收费标准' },
  { href: adminHref.users, label: '账号' },
  { href: adminHref.enterprises, label: '企业' },
  { href: adminHref.oilLimits, label: '油品限值' },
  { href: '/admin/compliance', label: '强检合规' },
  { href: '/admin/outbox', label: '外发消息' },
  { href: '/admin/api-keys', label: '接口密钥' },
  { href: '/equipment/stats', label: '仪器共享' },
  { href: adminHref.calendar, label: '节假日' },
  { href: adminHref.audit, label: '审计日志' },
];

/** How often the dashboard's figures are renewed (DASHBOARD_CACHE_SECONDS), as the page says it. */
function refreshLabel(seconds: number): string {
  if (seconds <= 0) return '数据实时计算';
  if (seconds === 60) return '数据每分钟更新';
  return seconds % 60 === 0 ? `数据每 ${seconds / 60} 分钟更新` : `数据每 ${seconds} 秒更新`;
}

/** Labels every management page draws with. */
export const adminViewLabels = { nodeKinds: NODE_KIND_LABELS, deliveryModes: DELIVERY_MODE_LABELS, kinds: BOOKING_KIND_LABELS, roles: ROLE_LABELS, refreshLabel };

/** ECharts and the charts drawn from each table. */
const DASHBOARD_SCRIPTS = ['/vendor/echarts/echarts.min.js', '/static/js/dashboard.js'];

/** The statistics dashboard: figures, tables (each with its export links), the period form as entered. */
export function dashboardPage(dashboard: Dashboard & { refreshSeconds: number }, query: PeriodQuery, refused: { errors?: Record<string, string>; formError?: string } = {}) {
  return { title: '统计看板', ...dashboard, presets: PERIOD_PRESETS, query, formatCell: displayCell, labels: adminViewLabels, ...refused, scripts: DASHBOARD_SCRIPTS };
}

/** Where a node's service stands for bookings. */
function offeringState(offering: Pick<OfferingRow, 'active'>, serviceActive: boolean): string {
  if (!serviceActive) return '服务已下线';
  return offering.active ? '开放预约' : '已停止';
}

/** A refused form's messages and the user's input, put back on the page. */
export interface FormState {
  errors?: Record<string, string>;
  formError?: string;
  values?: Record<string, unknown>;
}

/** The node form: new (`nodeId` absent) or an existing node's. */
export function nodeFormPage(parks: unknown[], nodeId: number | undefined, state: FormState) {
  return { title: nodeId ? '修改网点' : '新建网点', parks, labels: adminViewLabels, errors: {}, values: {}, ...(nodeId ? { nodeId } : {}), ...state };
}

/** A node's values as the form shows them (no park: the empty choice). */
export const nodeFormValues = (node: NodeRow) => ({ ...node, parkId: node.parkId ?? '' });

/** A new node starts as a station. */
export const NEW_NODE_VALUES = { kind: 'station' };

/** The node page: its offerings with capacity and state, closures; `openForm` is the form a refusal belongs to. */
export function nodePage<D extends { node: NodeRow; offerings: { offering: OfferingRow; serviceActive: boolean }[] }>(detail: D, state: FormState & { openForm?: string } = {}) {
  const offerings = detail.offerings.map((o) => ({ ...o, state: offeringState(o.offering, o.serviceActive) }));
  return { title: detail.node.name, ...detail, offerings, labels: adminViewLabels, errors: {}, values: {}, ...state };
}

/** A service as the form shows it (lists one per line); a new one starts as a consultation on site or online. */
function serviceFormValues(service: ServiceRowFull | undefined): Record<string, unknown> {
  if (!service) return { bookingKind: 'consultation', deliveryModes: ['on_site', 'online'] };
  return { ...service, standards: service.standards.join('\n'), requiredDocuments: service.requiredDocuments.join('\n') };
}

export function serviceFormPage(form: { refs: unknown; service: ServiceRowFull | undefined }, state: FormState = {}) {
  const { service } = form;
  return { title: service ? `修改服务 ${service.code}` : '新建服务', refs: form.refs, service, labels: adminViewLabels, errors: {}, ...state, values: state.values ?? serviceFormValues(service) };
}

/** A temporary password, shown once: for a new account (with its mobile) or after a reset. */
export function temporaryPasswordPage(account: { name: unknown; mobile?: unknown }, temporaryPassword: string, created: boolean) {
  return { title: created ? '账号已创建' : '密码已重置', name: account.name, ...(created ? { mobile: account.mobile } : {}), temporaryPassword, created };
}

/** A figure on the page: amounts grouped in thousands ("287,395.00"); the exports keep plain numbers for spreadsheets. */
function displayCell(value: Parameters<typeof formatCell>[0], format?: Parameters<typeof formatCell>[1]): string {
  return format === 'yuan' && typeof value === 'number' ? groupThousands(value.toFixed(2)) : formatCell(value, format);
}
