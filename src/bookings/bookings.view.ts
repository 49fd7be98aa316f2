import { describeWindow, windowLabel } from '../capacity/availability.js';
import { DELIVERY_MODE_LABELS } from '../catalog/catalog.view.js';
import { CONCLUSION_LABELS, REPORT_STATUS_LABELS } from '../reports/reports.view.js';
import { ATTACHMENT_PURPOSES, fileFieldName, type AttachmentPurpose } from '../uploads/purposes.js';
import { EVALUATION_LEVELS, SOURCE_TYPES } from './bookings.schemas.js';
import { EVENT_LABELS, STATUS_LABELS } from './lifecycle.js';
import { SULPHUR_REQUIREMENTS } from '../lab/limits.js';

/** Who looks at a booking: the company (its booking page) or the node's staff (the workbench). */
export type BookingAudience = 'enterprise' | 'staff';

/** The one URL builder of a booking's page for each side: links, notifications, redirects. */
export function bookingHref(number: string, audience: BookingAudience = 'enterprise'): string {
  return audience === 'staff' ? `/lab/bookings/${number}` : `/bookings/${number}`;
}

export const receiptHref = (number: string) => `/bookings/${number}/receipt`;
/** The public progress lookup with the number filled in (the receipt's QR code). */
export const trackHref = (number?: string) => (number ? `/track?no=${encodeURIComponent(number)}` : '/track');
export const reportHref = (number: string, version: number) => `/bookings/${number}/reports/${version}`;

/** The read-only list behind a dashboard figure (/admin/bookings), with the figure's filters. */
export function oversightHref(filters: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const query = params.toString();
  return query ? `/admin/bookings?${query}` : '/admin/bookings';
}

/** What a booking's places count, by kind: instruments, oil samples, consultation sessions. */
export function unitsLabel(kind: string): string {
  return kind === 'oil_test' ? '份' : kind === 'consultation' ? '人次' : '台（件）';
}

/** The receipt is a 受理回执 once the node accepted the booking; before that it acknowledges the booking only. */
export function receiptTitle(booking: { acceptedAt: Date | string | null }): string {
  return booking.acceptedAt ? '预约受理回执' : '预约回执';
}

/** Labels every booking page draws with. */
export const bookingViewLabels = {
  unitsLabel,
  status: STATUS_LABELS,
  events: EVENT_LABELS,
  deliveryModes: DELIVERY_MODE_LABELS,
  sourceTypes: SOURCE_TYPES,
  purposes: ATTACHMENT_PURPOSES,
  evaluationLevels: EVALUATION_LEVELS,
  reportStatus: REPORT_STATUS_LABELS as Record<string, string>,
  conclusion: CONCLUSION_LABELS,
  windowLabel,
  describeWindow,
  sulphurRequirements: SULPHUR_REQUIREMENTS,
};

/** File inputs of a form, one per purpose. */
export function fileInputs(purposes: readonly AttachmentPurpose[]) {
  return purposes.map((p) => ({ key: p, field: fileFieldName(p), label: ATTACHMENT_PURPOSES[p] }));
}
