import { bookingViewLabels } from '../bookings/bookings.view.js';

/* URL builders, labels and page models of the walk-in window. */

export const windowHref = {
  home: '/window',
  newCompany: '/window/companies/new',
  company: (id: number) => `/window/companies/${id}`,
  case: (id: number) => `/window/cases/${id}`,
  book: (id: number, service: string, node?: number) => `/window/cases/${id}/book?service=${encodeURIComponent(service)}${node ? `&node=${node}` : ''}`,
  queue: '/window/queue',
  staff: '/window/staff',
  stats: '/window/stats',
  screen: (nodeId: number) => `/nodes/${nodeId}/queue`,
};

export const CHANNEL_LABELS: Record<string, string> = { online: '线上', window: '线下窗口', api: '接口' };
export const TICKET_STATUS_LABELS: Record<string, string> = { waiting: '等候中', called: '已叫号', served: '已办结', no_show: '过号未到' };

export const windowLabels = { ...bookingViewLabels, channels: CHANNEL_LABELS, tickets: TICKET_STATUS_LABELS };

/** Masks a mobile for pages others may glance at (138****5678). */
export const maskMobile = (m: string) => (m.length === 11 ? `${m.slice(0, 3)}****${m.slice(7)}` : m);
