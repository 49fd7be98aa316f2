import { groupThousands } from '../fees/fees.view.js';
import type { EquipmentRates } from '../db/schema.js';

/*
 * The terms of open sharing, each spelled out once: who pays which rate (user categories), how an instrument is used
 * (modes), how used time is billed, and what an instrument's status means. Services, views and statistics read these.
 */

export const USER_CATEGORIES = ['park', 'other', 'research'] as const;
export type UserCategory = (typeof USER_CATEGORIES)[number];
export const USER_CATEGORY_LABELS: Record<UserCategory, string> = { park: '园区企业', other: '其他企业', research: '科研院所' };

export const MODES = ['self', 'assisted'] as const;
export type Mode = (typeof MODES)[number];
export const MODE_LABELS: Record<Mode, string> = { self: '机时自主使用', assisted: '委托操作' };
export const MODE_HELP: Record<Mode, string> = {
  self: '由贵单位已培训的人员自行操作，需持有该设备有效的操作培训记录',
  assisted: '由网点技术人员按贵单位要求代为操作，无需培训',
};

export const BILLING_RULES = ['actual', 'booked'] as const;
export type BillingRule = (typeof BILLING_RULES)[number];
export const BILLING_LABELS: Record<BillingRule, string> = { actual: '按实际使用时长计费（不足半小时按半小时计）', booked: '按预约时长计费' };

export const EQUIPMENT_STATUSES = ['available', 'maintenance', 'retired'] as const;
export type EquipmentStatus = (typeof EQUIPMENT_STATUSES)[number];
export const EQUIPMENT_STATUS_LABELS: Record<EquipmentStatus, string> = { available: '可预约', maintenance: '维修', retired: '停用' };

export const ORG_TYPES = ['company', 'institute'] as const;
export type OrgType = (typeof ORG_TYPES)[number];
export const ORG_TYPE_LABELS: Record<OrgType, string> = { company: '企业', institute: '科研院所' };

/** Instrument families shown as filters on the public list. */
export const EQUIPMENT_CATEGORIES = ['色谱质谱', '光谱分析', '理化分析', '环境与可靠性试验', '几何量测量', '力学性能', '电学与电磁兼容', '无损检测', '其他'] as const;

/** The booking grid: every start and end is on the hour or the half hour. */
export const GRID_MINUTES = 30;

/** The rate a company pays: research institutes (科研院所) their own; companies by whether they sit in a park. */
export function userCategoryOf(org: { orgType: string; parkId: number | null }): UserCategory {
  if (org.orgType === 'institute') return 'research';
  return org.parkId !== null ? 'park' : 'other';
}

/** Cents per hour for a category and mode, or undefined when the instrument does not offer it. */
export function rateFor(rates: EquipmentRates, category: UserCategory, mode: Mode): number | undefined {
  const value = rates[category]?.[mode];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** Minutes billed: actual use rounded up to the half hour (at least half an hour), or the booked minutes. */
export function billedMinutes(rule: string, bookedMinutes: number, actualMinutes: number): number {
  if (rule === 'booked') return bookedMinutes;
  return Math.max(GRID_MINUTES, Math.ceil(actualMinutes / GRID_MINUTES) * GRID_MINUTES);
}

/** The amount for billed minutes at a rate (cents per hour), in whole cents. */
export function amountFor(rateCents: number, minutes: number): number {
  return Math.round((rateCents * minutes) / 60);
}

/** "¥1,280.00" */
export function formatYuan(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '—';
  return `¥${groupThousands((cents / 100).toFixed(2))}`;
}

/** "2.5 小时" */
export function formatHours(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return '—';
  const hours = minutes / 60;
  return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} 小时`;
}
