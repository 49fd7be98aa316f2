import ejs from 'ejs';
import { STATUS_LABELS, type BookingStatus } from '../bookings/lifecycle.js';

// The same escaping as the templates' <%= %>.
const escapeHtml = (text: string) => ejs.escapeXML(text);

/**
 * Small markup helpers for views. A helper instead of an EJS include where the markup repeats per table row:
 * each include copies every local of the page, which cost more than the rest of a list page's rendering.
 */
export const viewHelpers = {
  statusBadge(status: string): string {
    const label = STATUS_LABELS[status as BookingStatus] ?? status;
    return `<span class="badge status-badge status-${escapeHtml(status)}">${escapeHtml(label)}</span>`;
  },
};
