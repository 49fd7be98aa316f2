import type { Principal } from '../auth/access.js';
import type { UploadedFile } from '../uploads/purposes.js';
import type { BookingsDeps } from './context.js';
import { cancelBooking, completeBooking, evaluateBooking, requestBookingInvoice, rescheduleBooking, rescheduleContext, resubmitBooking } from './enterprise-actions.js';
import { draftsOf, removeDrafts, sweepStaleDrafts } from './files.js';
import { REFUSAL_VIEW_TTL_MS } from '../capacity/availability.js';
import { TtlCache } from '../shared/cache.js';
import { WindowGate } from '../capacity/window-gate.js';
import { assertCan } from '../auth/access.js';
import { formContext, formContextChecked, type FormContext } from './form.js';
import { bookingAttachment, bookingDetail, bookingReceipt, listCompanyBookings, type MyBookingsQuery } from './queries.js';
import { editBooking, reviewBooking, submitBooking, type SubmitChannel } from './submit.js';
import { trackBooking, type TrackQuery } from './track.js';
import { oversightList, type OversightQuery } from './oversight.js';
import { keepFilesOnBehalf, reviewOnBehalf, submitOnBehalf, windowFormContext, type WindowCaseRef } from './on-behalf.js';

export type { BookingsDeps } from './context.js';
export { newIdempotencyKey } from './submit.js';
export type { WindowCaseRef } from './on-behalf.js';

/**
 * The bookings feature's face: each method is one use case in its own module (form, submit, queries,
 * enterprise-actions, files), bound to the feature's dependencies here.
 */
export function makeBookingsService(given: BookingsDeps) {
  const deps: BookingsDeps = { ...given, windowGate: given.windowGate ?? new WindowGate() };
  const refusedForms = new TtlCache<FormContext>(REFUSAL_VIEW_TTL_MS, 200);
  return {
    formContext: (user: Principal, serviceCode: string, nodeId: number | undefined, from?: string) => formContext(deps, user, serviceCode, nodeId, from),
    /** The form again after its window filled, shared by everyone refused in the same second (REFUSAL_VIEW_TTL_MS). */
    refusedFormContext: (user: Principal, serviceCode: string, nodeId: number | undefined, from?: string) => {
      assertCan(user, 'booking.create');
      return refusedForms.get(`${serviceCode}|${nodeId ?? ''}|${from ?? ''}`, () => formContextChecked(deps, serviceCode, nodeId, from));
    },
    drafts: (user: Principal, key: unknown) => draftsOf(deps, user, key),
    removeDrafts: (user: Principal, key: string, ids: number[]) => removeDrafts(deps, user, key, ids),
    review: (user: Principal, body: Record<string, unknown>, files: UploadedFile[]) => reviewBooking(deps, user, body, files),
    /** Back to the form: files chosen meanwhile become drafts. */
    keepFiles: (user: Principal, body: Record<string, unknown>, files: UploadedFile[]) => editBooking(deps, user, body, files),
    /** The form's submit; the open API passes channel 'api' and its request's fingerprint (same checks, same transaction). */
    submit: (user: Principal, body: Record<string, unknown>, files: UploadedFile[], via?: SubmitChannel) => submitBooking(deps, user, body, files, via),
    list: (user: Principal, query: MyBookingsQuery) => listCompanyBookings(deps, user, query),
    /** Nodes for the list filter. */
    filterOptions: () => deps.reference.nodes({ includeInactive: true }),
    detail: (user: Principal, number: string) => bookingDetail(deps, user, number),
    receipt: (user: Principal, number: string) => bookingReceipt(deps, user, number),
    attachment: (user: Principal, number: string, attachmentId: number) => bookingAttachment(deps, user, number, attachmentId),
    cancel: (user: Principal, number: string, input: unknown) => cancelBooking(deps, user, number, input),
    complete: (user: Principal, number: string) => completeBooking(deps, user, number),
    evaluate: (user: Principal, number: string, input: unknown) => evaluateBooking(deps, user, number, input),
    rescheduleContext: (user: Principal, number: string) => rescheduleContext(deps, user, number),
    reschedule: (user: Principal, number: string, input: unknown) => rescheduleBooking(deps, user, number, input),
    resubmit: (user: Principal, number: string, input: unknown, files: UploadedFile[]) => resubmitBooking(deps, user, number, input, files),
    requestInvoice: (user: Principal, number: string) => requestBookingInvoice(deps, user, number),
    sweepStaleDrafts: () => sweepStaleDrafts(deps),
    /** The bookings behind a dashboard figure, in the administrator's scope. */
    oversee: (user: Principal, query: OversightQuery) => oversightList(deps, user, query),
    /** The public progress lookup (number + last four digits of the contact mobile). */
    track: (query: TrackQuery) => trackBooking(deps, query),
    /** The walk-in window books on a company's behalf through the same path (on-behalf.ts). */
    onBehalf: {
      formContext: (staff: Principal, c: WindowCaseRef, serviceCode: string, nodeId: number | undefined, from?: string) => windowFormContext(deps, staff, c, serviceCode, nodeId, from),
      review: (staff: Principal, c: WindowCaseRef, body: Record<string, unknown>, files: UploadedFile[]) => reviewOnBehalf(deps, staff, c, body, files),
      keepFiles: (staff: Principal, c: WindowCaseRef, body: Record<string, unknown>, files: UploadedFile[]) => keepFilesOnBehalf(deps, staff, c, body, files),
      submit: (staff: Principal, c: WindowCaseRef, body: Record<string, unknown>, files: UploadedFile[]) => submitOnBehalf(deps, staff, c, body, files),
    },
    /** The caps this instance enforces (the routes rate-limit the review step with them). */
    draftQuota: deps.draftQuota,
  };
}

export type BookingsService = ReturnType<typeof makeBookingsService>;
