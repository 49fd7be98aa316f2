import type { DayAvailability } from '../capacity/availability.js';

/** Labels of the catalog: node kinds and how a service is delivered. */
export const NODE_KIND_LABELS = { centre: '市级中心', lab: '专业实验室', station: '园区服务站' } as const;

export const DELIVERY_MODE_LABELS: Record<string, string> = {
  send_in: '送检',
  on_site: '上门服务',
  online: '线上咨询',
};

/** Booking kinds as the admin pages name them. */
export const BOOKING_KIND_LABELS = { calibration: '计量检定/校准', oil_test: '油品检测', consultation: '咨询' } as const;

export const catalogViewLabels = { nodeKinds: NODE_KIND_LABELS, deliveryModes: DELIVERY_MODE_LABELS };

/** One day of a node's capacity overview: how full (its colour), the units left, the first window still bookable. */
export function capacityCell(day: DayAvailability): { tone: 'cap-closed' | 'cap-full' | 'cap-low' | 'cap-free'; free: number; firstWindow?: string } {
  const open = day.windows.filter((w) => !w.unavailable);
  const free = open.reduce((sum, w) => sum + w.free, 0);
  const tone = day.closedReason || !day.open ? 'cap-closed' : open.length === 0 ? 'cap-full' : free <= 2 ? 'cap-low' : 'cap-free';
  return { tone, free, ...(open[0] ? { firstWindow: open[0].key } : {}) };
}

/** A node's public page: its two weeks of capacity drawn cell by cell. */
export function nodePage<D extends { node: { name: string }; overview: { days: DayAvailability[] }[] }>(detail: D) {
  const overview = detail.overview.map((row) => ({ ...row, days: row.days.map((day) => ({ ...day, cell: capacityCell(day) })) }));
  return { title: detail.node.name, ...detail, overview, labels: catalogViewLabels };
}
