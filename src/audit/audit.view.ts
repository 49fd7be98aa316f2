import { ROLE_LABELS } from '../auth/auth.view.js';
import { bookingHref, reportHref } from '../bookings/bookings.view.js';
import { EVENT_LABELS, STATUS_LABELS } from '../bookings/lifecycle.js';
import { DELIVERY_MODE_LABELS, NODE_KIND_LABELS } from '../catalog/catalog.view.js';
import { CREDIT_REVIEW_LABELS, enterpriseHref } from '../enterprises/enterprises.view.js';
import { PAYMENT_STATUS_LABELS } from '../fees/fees.view.js';
import { REVISION_STATUS_LABELS } from '../reports/revision-lifecycle.js';
import type { EntityNames } from './audit.repo.js';
import { LEDGER_EVENT_LABELS } from '../ledger/ledger.view.js';
import { EQUIPMENT_AUDIT_LABELS } from '../equipment/lifecycle.js';

/** Every action the audit log can hold, with its wording (booking timeline + management). */
export const AUDIT_ACTIONS: Record<string, string> = {
  ...EVENT_LABELS,
  'report.issued': '签发报告',
  'enterprise.registered': '企业注册',
  'enterprise.credit_code_reviewed': '信用代码复核',
  'enterprise.activated': '启用企业',
  'enterprise.deactivated': '停用企业',
  'enterprise.invoice_info': '修改开票信息',
  'user.created': '创建账号',
  'user.password_changed': '修改密码',
  'user.password_reset': '重置密码',
  'user.activated': '启用账号',
  'user.deactivated': '停用账号',
  'node.created': '新建网点',
  'node.updated': '修改网点',
  'node.activated': '启用网点',
  'node.deactivated': '停用网点',
  'node_service.created': '网点开通服务',
  'node_service.activated': '启用网点服务',
  'node_service.deactivated': '停用网点服务',
  'node_service.capacity_changed': '调整名额',
  'node_service.windows_changed': '设置收样时段',
  'closure.created': '设置暂停服务',
  'closure.removed': '取消暂停服务',
  'service.created': '新建服务',
  'service.updated': '修改服务',
  'service.activated': '上线服务',
  'service.deactivated': '下线服务',
  'price.set': '调整价格',
  'limit.verified': '核实限值',
  'signatory.granted': '授权签字人',
  'signatory.revoked': '撤销签字授权',
  'standard.added': '登记计量标准',
  'standard.retired': '停用计量标准',
  ...LEDGER_EVENT_LABELS,
  ...EQUIPMENT_AUDIT_LABELS,
  'calendar.entered': '录入节假日安排',
  'calendar.removed': '撤回节假日安排',
  'auth.reset_requested': '申请找回密码',
  'auth.password_reset_by_link': '通过链接重设密码',
  'company.password_reset': '企业管理员重置同事密码',
  'company.invitation_created': '邀请同事',
  'company.invitation_revoked': '撤销邀请',
  'company.invitation_accepted': '接受邀请',
  'company.join_requested': '申请加入企业',
  'company.join_approved': '同意加入企业',
  'company.join_refused': '拒绝加入企业',
  'company.claimed': '认领企业账号',
  'api_key.created': '创建接口密钥',
  'api_key.revoked': '停用接口密钥',
  'webhook.created': '登记回调地址',
  'webhook.removed': '删除回调地址',
  'webhook.redelivered': '重新推送回调',
  'window.duty_granted': '授予线下窗口职责',
  'window.duty_withdrawn': '撤销线下窗口职责',
  'window.case_opened': '窗口受理办件',
  'window.case_closed': '窗口办结办件',
  'window.booking_entered': '窗口代录预约',
  'window.company_registered': '窗口代办企业注册',
  'window.claim_code_issued': '发放企业认领码',
  'queue.issued': '取号',
  'user.coordinator_granted': '授予协调人职责',
  'user.coordinator_revoked': '撤销协调人职责',
  'bundle.created': '新建一件事套餐',
  'bundle.revised': '修订一件事套餐',
  'bundle.activated': '启用一件事套餐',
  'bundle.deactivated': '停用一件事套餐',
  'chain.submitted': '提交一件事申请',
  'chain.step_scheduled': '一件事环节排期',
  'chain.step_ready': '一件事环节可办理',
  'chain.step_rerouted': '一件事环节改派网点',
  'chain.completed': '一件事办结',
  'chain.rated': '评价一件事',
  'need.submitted': '提交质量需求',
  'need.assigned': '分派专家',
  'need.accepted': '专家接单',
  'need.answering': '专家答复中',
  'need.services_proposed': '专家推荐服务',
  'need.booked': '按推荐预约服务',
  'expert.profile_updated': '修改专家资料',
};

/** What an event's from/to states mean, by the kind of thing that changed. */
function stateLabel(action: string, state: string): string {
  const table: Record<string, string> = action.startsWith('revision.') ? REVISION_STATUS_LABELS : action.startsWith('fee.') ? PAYMENT_STATUS_LABELS : STATUS_LABELS;
  return Object.hasOwn(table, state) ? table[state]! : '其他状态';
}

/** The fields of a management change (before/after) as administrators know them; internal ones are not shown. */
const FIELD_LABELS: Record<string, string> = {
  name: '名称', shortName: '简称', code: '编号', kind: '类型', district: '所在区县', address: '地址', hours: '办公时间', phone: '电话',
  contactName: '联系人', description: '详细说明', summary: '简介', active: '状态', sortOrder: '排序', parkId: '所属园区',
  capacityAm: '上午名额', capacityPm: '下午名额', slotTimes: '咨询时段', slotCapacity: '每时段名额',
  categoryCode: '服务类别', bookingKind: '预约类型', standards: '依据标准 / 规程', turnaroundDays: '办结时限（工作日）', feeBasis: '收费依据',
  requiredDocuments: '所需材料', deliveryModes: '服务方式', keywords: '搜索关键词', instrumentCategoryCode: '器具类别',
  role: '角色', mobile: '手机号', email: '邮箱', nodeId: '所属网点', mustChangePassword: '须修改密码', creditCodeReview: '信用代码复核',
  windowDuty: '线下窗口职责', startDate: '开始日期', endDate: '结束日期', reason: '原因', invoiceTitle: '发票抬头', taxNo: '纳税人识别号', addressPhone: '地址电话', bankAccount: '开户行及账号',
};

const VALUE_LABELS: Record<string, Record<string, string>> = {
  kind: NODE_KIND_LABELS,
  role: ROLE_LABELS,
  creditCodeReview: { ...CREDIT_REVIEW_LABELS, none: '无须复核' },
  deliveryModes: DELIVERY_MODE_LABELS,
  bookingKind: { calibration: '计量检定/校准', oil_test: '油品检测', consultation: '咨询' },
};

function formatValue(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return field === 'active' ? (value ? '启用' : '停用') : value ? '是' : '否';
  if (Array.isArray(value)) return value.map((v) => formatValue(field, v)).join('、') || '—';
  if (typeof value === 'object') return '—';
  const text = String(value);
  return VALUE_LABELS[field]?.[text] ?? text;
}

/** The changed fields of a before/after pair, labelled; unchanged and internal fields are left out. */
export function describeChanges(before: unknown, after: unknown): { field: string; before: string; after: string }[] {
  const b = before && typeof before === 'object' ? (before as Record<string, unknown>) : {};
  const a = after && typeof after === 'object' ? (after as Record<string, unknown>) : {};
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => Object.hasOwn(FIELD_LABELS, k) && JSON.stringify(b[k] ?? null) !== JSON.stringify(a[k] ?? null))
    .map((k) => ({ field: FIELD_LABELS[k]!, before: formatValue(k, b[k]), after: formatValue(k, a[k]) }));
}

/** Which records a page of events names, by type: the ids to look up. */
export function entityIds(rows: { event: { entityType: string; entityId: string } }[]): Record<string, number[]> {
  const ids: Record<string, number[]> = {};
  for (const { event } of rows) if (/^\d{1,9}$/.test(event.entityId)) (ids[event.entityType] ??= []).push(Number(event.entityId));
  return ids;
}

const ENTITY_KINDS: Record<string, string> = {
  booking: '预约', report: '报告', user: '账号', enterprise: '企业', node: '网点', service: '服务', node_service: '网点服务',
  closure: '暂停服务', oil_limit: '油品限值', price: '价格', signatory: '授权签字人', standard: '计量标准',
};

type Ref = { kind: string; label: string; href: string | null; mono: boolean };

/** Each record of the page as the log shows it: its kind, its number or name, and a link to it where there is a page. */
export function entityRefs(names: EntityNames): Map<string, Ref> {
  const refs = new Map<string, Ref>();
  const put = (type: string, id: number, label: string, href: string | null, mono = false) => refs.set(`${type}|${id}`, { kind: ENTITY_KINDS[type]!, label, href, mono });
  for (const r of names.bookingRows) put('booking', r.id, r.number, bookingHref(r.number), true);
  for (const r of names.reportRows) put('report', r.id, `${r.number} 第 ${r.version} 版`, reportHref(r.bookingNumber, r.version), true);
  for (const r of names.userRows) put('user', r.id, r.name, null);
  for (const r of names.enterpriseRows) put('enterprise', r.id, r.name, enterpriseHref(r.id));
  for (const r of names.nodeRows) put('node', r.id, r.name, `/admin/nodes/${r.id}`);
  for (const r of names.serviceRows) put('service', r.id, r.name, `/admin/services/${r.id}/edit`);
  for (const r of names.offeringRows) put('node_service', r.id, `${r.nodeName} · ${r.serviceName}`, `/admin/nodes/${r.nodeId}`);
  for (const r of names.closureRows) put('closure', r.id, r.nodeName, `/admin/nodes/${r.nodeId}`);
  for (const r of names.limitRows) put('oil_limit', r.id, `${r.gradeName} · ${r.itemName}`, '/admin/oil-limits');
  for (const r of names.priceRows) put('price', r.id, '价目表', '/admin/fees');
  for (const r of names.signatoryRows) put('signatory', r.id, r.name, `/admin/nodes/${r.nodeId}/signatories`);
  for (const r of names.standardRows) put('standard', r.id, r.name, `/admin/nodes/${r.nodeId}/standards`);
  return refs;
}

type EventRow = { event: { action: string; fromState: string | null; toState: string | null; entityType: string; entityId: string; data: unknown }; actorName: string | null; actorRole: string | null };

/** One line of the log as an administrator reads it: action, state change, record and changes in Chinese. */
export function auditLine<R extends EventRow>(row: R, refs: Map<string, Ref>) {
  const e = row.event;
  const data = (e.data && typeof e.data === 'object' ? e.data : {}) as { before?: unknown; after?: unknown };
  const ref = refs.get(`${e.entityType}|${e.entityId}`) ?? { kind: ENTITY_KINDS[e.entityType] ?? '记录', label: '（已删除）', href: null, mono: false };
  return {
    ...row,
    actionLabel: AUDIT_ACTIONS[e.action] ?? '其他操作',
    stateChange: e.fromState && e.toState && e.fromState !== e.toState ? `${stateLabel(e.action, e.fromState)} → ${stateLabel(e.action, e.toState)}` : null,
    entity: ref,
    changes: 'before' in data || 'after' in data ? describeChanges(data.before, data.after) : [],
  };
}
