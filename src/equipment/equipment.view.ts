import { formatDateWithWeekday, shanghaiDate, shanghaiTime } from '../shared/time.js';
import { BILLING_LABELS, EQUIPMENT_STATUS_LABELS, formatHours, formatYuan, MODE_HELP, MODE_LABELS, ORG_TYPE_LABELS, USER_CATEGORY_LABELS } from './domain.js';
import { EQUIPMENT_EVENT_LABELS, EQUIPMENT_STATUS_TEXT } from './lifecycle.js';


/** The one URL builder of each equipment page. */
export const equipmentHref = (id: number) => `/equipment/${id}`;
export const equipmentBookingHref = (number: string) => `/equipment/bookings/${number}`;
export const manageHref = (id: number) => `/equipment/manage/${id}`;
export const statementHref = (enterpriseId: number, month: string) => `/equipment/statements/${enterpriseId}/${month}`;

/** "10月8日 周四 09:00–11:30" */
export function describeRange(startsAt: Date, endsAt: Date): string {
  return `${formatDateWithWeekday(shanghaiDate(startsAt))} ${shanghaiTime(startsAt)}–${shanghaiTime(endsAt)}`;
}

/** "2026-10-08 09:00–11:30" */
export function describeRangeShort(startsAt: Date, endsAt: Date): string {
  return `${shanghaiDate(startsAt)} ${shanghaiTime(startsAt)}–${shanghaiTime(endsAt)}`;
}

/** Labels and formatters every equipment page draws with. */
export const equipmentViewLabels = {
  status: EQUIPMENT_STATUS_TEXT,
  equipmentStatus: EQUIPMENT_STATUS_LABELS,
  modes: MODE_LABELS,
  modeHelp: MODE_HELP,
  categories: USER_CATEGORY_LABELS,
  billing: BILLING_LABELS,
  orgTypes: ORG_TYPE_LABELS,
  events: EQUIPMENT_EVENT_LABELS,
  yuan: formatYuan,
  hours: formatHours,
  range: describeRange,
  rangeShort: describeRangeShort,
  time: shanghaiTime,
};

/** Badge colour of a booking state. */
export const STATUS_BADGE: Record<string, string> = {
  requested: 'text-bg-warning',
  approved: 'text-bg-primary',
  checked_in: 'text-bg-info',
  checked_out: 'text-bg-success',
  no_show: 'text-bg-danger',
  cancelled: 'text-bg-secondary',
  rejected: 'text-bg-secondary',
};

export const EQUIPMENT_STATUS_BADGE: Record<string, string> = { available: 'text-bg-success', maintenance: 'text-bg-warning', retired: 'text-bg-secondary' };
