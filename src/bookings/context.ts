import type { Availability } from '../capacity/availability.js';
import type { WindowGate } from '../capacity/window-gate.js';
import type { ReferenceData } from '../catalog/reference.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/time.js';
import type { DraftQuota } from '../uploads/quota.js';
import type { DocumentStore } from '../uploads/storage.js';

/** What the booking use cases work with; built once by the composition root. */
export interface BookingsDeps {
  db: Db;
  availability: Availability;
  storage: DocumentStore;
  clock: Clock;
  /** Cached reference data (shared with the catalog so network changes clear it). */
  reference: ReferenceData;
  /** Caps on draft files (per user, company, platform) and on review steps: src/uploads/quota.ts. */
  draftQuota: DraftQuota;
  /** Submissions for one window in line per process (made by makeBookingsService when not given). */
  windowGate?: WindowGate;
  /** After a booking completed (committed): whole-chain steps it unblocked are booked. */
  onCompleted?: () => Promise<unknown>;
}
