import ejs from 'ejs';
import { STATUS_LABELS, type BookingStatus } from '../bookings/lifecycle.js';
import { dateIsEstimated } from '../calendar/workdays.js';
import { NODE_KIND_LABELS } from '../catalog/catalog.view.js';
import { CREDIT_REVIEW_LABELS } from '../enterprises/enterprises.view.js';
import { JUDGEMENT_LABELS } from '../lab/judgement.js';
import { CONCLUSION_LABELS, conclusionLabelOf, REPORT_STATUS_LABELS } from '../reports/reports.view.js';

// The same escaping as the templates' <%= %>.
const escapeHtml = (text: string) => ejs.escapeXML(text);

/** The colours a badge takes (Bootstrap's text-bg-*; the light one gets a border to stay visible on white). */
const TONE_CLASSES = {
  success: 'text-bg-success',
  danger: 'text-bg-danger',
  warning: 'text-bg-warning',
  info: 'text-bg-info',
  primary: 'text-bg-primary',
  secondary: 'text-bg-secondary',
  light: 'text-bg-light border',
} as const;
type Tone = keyof typeof TONE_CLASSES;

/*
 * What colour each state is drawn in, the one place for it: a page asks `reportStatusBadge(status)` instead of
 * repeating `status === 'valid' ? 'text-bg-success' : …`.
 */
const REPORT_STATUS_TONES: Record<string, Tone> = { valid: 'success', revoked: 'danger', replaced: 'secondary' };
/** Overall and per-instrument conclusions: anything but pass/fail (data only, calibrated) is informational. */
const CONCLUSION_TONES: Record<string, Tone> = { pass: 'success', fail: 'danger' };
/** A measured value against its limit: without a limit it is neutral. */
const JUDGEMENT_TONES: Record<string, Tone> = { pass: 'success', fail: 'danger' };
const CREDIT_REVIEW_TONES: Record<keyof typeof CREDIT_REVIEW_LABELS, Tone> = { pending: 'warning', approved: 'light', rejected: 'danger' };

/** Why a date is marked 预计. */
const ESTIMATE_NOTE = '该年放假安排尚未发布，按法定节假日预估，发布后可能调整';

const labelOf = (labels: Record<string, string>, key: string) => (Object.hasOwn(labels, key) ? labels[key] : undefined) ?? key;

/** A badge: its text (escaped), its tone, and any layout classes of the page (`align-middle`, `mt-1`). */
function badge(label: string, tone: Tone, extraClass = ''): string {
  return `<span class="badge ${TONE_CLASSES[tone]}${extraClass ? ` ${escapeHtml(extraClass)}` : ''}">${escapeHtml(label)}</span>`;
}

/**
 * Small markup helpers for views. A helper instead of an EJS include where the markup repeats per table row:
 * each include copies every local of the page, which cost more than the rest of a list page's rendering.
 */
export const viewHelpers = {
  badge,

  statusBadge(status: string): string {
    const label = STATUS_LABELS[status as BookingStatus] ?? status;
    return `<span class="badge status-badge status-${escapeHtml(status)}">${escapeHtml(label)}</span>`;
  },

  /** A node's kind (centre, station, lab) in the kind's own colours (app.css). */
  nodeKindBadge(kind: string): string {
    return `<span class="badge rounded-pill kind-badge-${escapeHtml(kind)}">${escapeHtml(labelOf(NODE_KIND_LABELS, kind))}</span>`;
  },

  /** A deactivated node, company or account. */
  inactiveBadge: (extraClass = '') => badge('已停用', 'secondary', extraClass),

  /** An in-app message, read or not. */
  readBadge: (read: boolean, extraClass = '') => (read ? badge('已读', 'light', extraClass) : badge('未读', 'warning', extraClass)),

  /** The review of a company's credit code; nothing when there is none. */
  creditReviewBadge(review: string, extraClass = ''): string {
    return Object.hasOwn(CREDIT_REVIEW_TONES, review) ? badge(labelOf(CREDIT_REVIEW_LABELS, review), CREDIT_REVIEW_TONES[review as keyof typeof CREDIT_REVIEW_TONES], extraClass) : '';
  },

  /** A report version's status (valid, replaced, revoked). */
  reportStatusBadge: (status: string, label = labelOf(REPORT_STATUS_LABELS, status), extraClass = '') => badge(label, REPORT_STATUS_TONES[status] ?? 'secondary', extraClass),

  /** A conclusion (a report's overall one, or an instrument's): pass, fail, or data only; the page may name it its own way. */
  conclusionBadge: (conclusion: string, label = labelOf(CONCLUSION_LABELS, conclusion), extraClass = '') => badge(label, CONCLUSION_TONES[conclusion] ?? 'info', extraClass),

  /** "预计" next to a date counted in working days of a year whose official holiday arrangement is not known yet. */
  estimatedMark(date: string | null | undefined): string {
    if (!dateIsEstimated(date)) return '';
    return `<span class="badge estimated-badge" title="${escapeHtml(ESTIMATE_NOTE)}">预计<span class="visually-hidden">（${escapeHtml(ESTIMATE_NOTE)}）</span></span>`;
  },

  /** A report's conclusion as read (a calibration of several instruments counts its certificates). */
  conclusionLabelOf,

  /** A result judged against its limit: pass, fail, no limit. */
  judgementBadge: (judgement: string, label = labelOf(JUDGEMENT_LABELS, judgement), extraClass = '') => badge(label, JUDGEMENT_TONES[judgement] ?? 'secondary', extraClass),
};
