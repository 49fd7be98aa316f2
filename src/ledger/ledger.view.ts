import { addDays, daysBetween } from '../shared/time.js';
import { DUE_FILTERS, SORTS } from './ledger.schemas.js';
import { COMPULSORY_USES, DUE_SOURCES, INSTRUMENT_STATUSES, LEDGER_CONCLUSIONS, REGIMES, THRESHOLD_LABELS } from './rules.js';

/* URL builders and labels of the ledger's pages. */

export const LEDGER_PATH = '/instruments';
export const instrumentHref = (id: number) => `/instruments/${id}`;
export const importPreviewHref = (token: string) => `/instruments/import/${token}`;
export const companyComplianceHref = (enterpriseId: number) => `/admin/compliance/enterprises/${enterpriseId}`;

/** Audit-log wording of the ledger's events (the admin's audit page shows them too). */
export const LEDGER_EVENT_LABELS: Record<string, string> = {
  'instrument.created': '台账：登记器具',
  'instrument.updated': '台账：修改器具',
  'instrument.deleted': '台账：删除器具',
  'instrument.imported': '台账：批量导入',
  'instrument.certificate': '台账：按证书更新',
  'ledger.settings_changed': '台账：提醒设置',
  'ledger.one_click_booked': '台账：一键预约',
  'calendar.feed_created': '日历订阅：生成地址',
  'calendar.feed_revoked': '日历订阅：停用地址',
  'outbox.requeued': '外发消息：重新发送',
};

/** Field names of an entry as the history shows them. */
export const FIELD_LABELS: Record<string, string> = {
  name: '器具名称',
  categoryCode: '器具类别',
  model: '型号规格',
  serialNo: '出厂编号',
  manufacturer: '制造单位',
  measuringRange: '测量范围',
  accuracyClass: '准确度等级',
  department: '使用部门',
  location: '使用地点',
  compulsory: '是否强检',
  compulsoryUse: '强检用途',
  regime: '检定方式',
  periodMonths: '周期（月）',
  status: '状态',
  lastCalibrationDate: '上次检定/校准日期',
  certificateNo: '证书编号',
  conclusion: '结论',
  nextDueDate: '下次检定/校准日期',
  dueSource: '到期日来源',
  reportBookingId: '关联证书',
  reportVersion: '证书版本',
};

export type DueState = 'failed' | 'overdue' | 'today' | 'soon' | 'ok' | 'none' | 'idle';

/**
 * Where an entry stands: its last certificate said 不合格 (it must not be used: repaired and verified again, or taken
 * out of use), overdue, due today, within 30 days, fine, no due date — or not in use (no reminders).
 */
export function dueState(e: { status: string; nextDueDate: string | null; conclusion?: string | null }, today: string): DueState {
  if (e.status !== 'in_use') return 'idle';
  // a 不合格 certificate gives no due date: the entry is not "without one", it is not to be used
  if (e.conclusion === 'fail' && !e.nextDueDate) return 'failed';
  if (!e.nextDueDate) return 'none';
  if (e.nextDueDate < today) return 'overdue';
  if (e.nextDueDate === today) return 'today';
  return e.nextDueDate <= addDays(today, 30) ? 'soon' : 'ok';
}

export const DUE_BADGES: Record<DueState, { label: string; cls: string }> = {
  failed: { label: '检定不合格，不得使用', cls: 'text-bg-danger' },
  overdue: { label: '已超期', cls: 'text-bg-danger' },
  today: { label: '今天到期', cls: 'text-bg-danger' },
  soon: { label: '即将到期', cls: 'text-bg-warning' },
  ok: { label: '有效', cls: 'text-bg-success' },
  none: { label: '未设到期日', cls: 'text-bg-secondary' },
  idle: { label: '未在用', cls: 'text-bg-light border' },
};

/** "还有 12 天" / "超期 3 天" / "今天到期". */
export function dueText(nextDueDate: string | null, today: string): string {
  if (!nextDueDate) return '';
  const days = daysBetween(today, nextDueDate);
  if (days === 0) return '今天到期';
  return days > 0 ? `还有 ${days} 天` : `超期 ${-days} 天`;
}

const VALUE_LABELS: Record<string, Record<string, string>> = { status: INSTRUMENT_STATUSES, compulsoryUse: COMPULSORY_USES, regime: REGIMES, conclusion: LEDGER_CONCLUSIONS, dueSource: DUE_SOURCES };

/** A field's value as the history shows it: names instead of codes, 是/否, （空）. */
export function describeValue(field: string, value: unknown, categoryNames: Record<string, string> = {}): string {
  if (value === null || value === undefined || value === '') return '（空）';
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (field === 'categoryCode') return categoryNames[String(value)] ?? '其他类别';
  return VALUE_LABELS[field]?.[String(value)] ?? String(value);
}

/** Fields of the certificate link: not shown in the history (the certificate itself is). */
export const HIDDEN_HISTORY_FIELDS = new Set(['reportBookingId', 'reportVersion', 'serialKey']);

/** Everything the ledger's templates label with. */
export const ledgerLabels = {
  uses: COMPULSORY_USES,
  statuses: INSTRUMENT_STATUSES,
  conclusions: LEDGER_CONCLUSIONS,
  regimes: REGIMES,
  dueSources: DUE_SOURCES,
  dueFilters: DUE_FILTERS,
  sorts: SORTS,
  thresholds: THRESHOLD_LABELS,
  fields: FIELD_LABELS,
  events: LEDGER_EVENT_LABELS,
  dueBadges: DUE_BADGES,
  describeValue,
  hiddenHistory: HIDDEN_HISTORY_FIELDS,
};
