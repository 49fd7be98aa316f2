import { STATUS_LABELS, type BookingStatus } from '../../bookings/lifecycle.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);

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
