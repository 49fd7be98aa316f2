import type { Request, Response } from 'express';
import type { Principal } from '../auth/access.js';
import { keptValues, type Refusal } from '../http/forms.js';
import { currentUser } from '../http/guards.js';
import { ACCEPT_ATTRIBUTE, ALLOWED_TYPES_TEXT, MAX_FILES } from '../uploads/file-check.js';
import { BOOKING_FORM_PURPOSES, type AttachmentPurpose } from '../uploads/purposes.js';
import { bookingNumberParam } from './booking-number.js';
import { bookingViewLabels, fileInputs } from './bookings.view.js';
import { newIdempotencyKey, type BookingsService } from './bookings.service.js';
import { DRAFT_KEY_RE } from './files.js';
import { withRefusedWindow } from './form.js';

/* The booking pages the routers render: the form and the booking page (also when a form on them was refused). */

export const RESUBMIT_PURPOSES: AttachmentPurpose[] = ['correction', 'other'];
export const uploadLimits = { maxFiles: MAX_FILES, accept: ACCEPT_ATTRIBUTE, typesText: ALLOWED_TYPES_TEXT };

/** The instrument ledger's part of the booking form ("从台账选择"), given by the composition root when the ledger exists. */
export interface LedgerPicks {
  picks(user: Principal, categoryCode: string): Promise<{ id: number; name: string; serialNo: string; department: string; nextDueDate: string | null; due: string; line: Record<string, string> }[]>;
  prefill(user: Principal, ids: number[]): Promise<Record<string, string>[]>;
}

export function bookingPages(bookings: BookingsService, ledger?: LedgerPicks) {
  /** The booking form, with the weeks of the chosen (or refused) window or the page the user paged to. */
  async function renderForm(req: Request, res: Response, status: number, body: Record<string, unknown>, extra: Record<string, unknown> = {}, refused?: { free: number }) {
    const user = currentUser(req);
    const nodeId = typeof body.node === 'string' && /^\d{1,9}$/.test(body.node) ? Number(body.node) : undefined;
    const slot = typeof body.slot === 'string' ? body.slot : undefined;
    const args = [user, typeof body.service === 'string' ? body.service : '', nodeId, typeof body.from === 'string' ? body.from : slot?.slice(0, 10)] as const;
    // Refused because the window filled: the form as it stood at most a second ago, the refused window as found.
    const context = refused && slot ? withRefusedWindow(await bookings.refusedFormContext(...args), slot, refused.free) : await bookings.formContext(...args);
    const values = keptValues(body);
    if (typeof values.idempotencyKey !== 'string' || !DRAFT_KEY_RE.test(values.idempotencyKey)) values.idempotencyKey = newIdempotencyKey();
    res.status(status).render('bookings/new', {
      title: `预约：${context.service.name}`,
      ...context,
      values,
      drafts: await bookings.drafts(user, values.idempotencyKey),
      errors: {},
      labels: bookingViewLabels,
      uploadLimits,
      purposes: fileInputs(BOOKING_FORM_PURPOSES),
      scripts: ['/static/js/booking-form.js'],
      ledgerPicks: context.service.instrumentCategoryCode && ledger ? await ledger.picks(user, context.service.instrumentCategoryCode) : [],
      ...extra,
    });
  }

  async function renderDetail(req: Request, res: Response, status: number, number: string, extra: Record<string, unknown> = {}) {
    const detail = await bookings.detail(currentUser(req), number);
    res.status(status).render('bookings/detail', { title: `预约 ${number}`, ...detail, labels: bookingViewLabels, resubmitPurposes: fileInputs(RESUBMIT_PURPOSES), uploadLimits, ...extra });
  }

  /** A refused action on the booking page: the page again with the message at the form (422 fields, 409 state). */
  const detailRefused = (extra: Record<string, unknown> = {}) => (req: Request, res: Response, r: Refusal) =>
    renderDetail(req, res, r.status, bookingNumberParam(req.params.no), { errors: r.errors, formError: r.firstError, values: r.values, ...extra });

  return { renderForm, renderDetail, detailRefused };
}
