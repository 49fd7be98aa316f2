import type { ReferenceData } from '../catalog/reference.js';
import type { Db } from '../db/client.js';
import type { ReportsService } from '../reports/reports.service.js';
import type { Clock } from '../shared/time.js';
import { shanghaiDate } from '../shared/time.js';
import type { DocumentStore } from '../uploads/storage.js';

/** What the lab's use cases work with; built once by the composition root. */
export interface LabDeps {
  db: Db;
  clock: Clock;
  storage: DocumentStore;
  reports: ReportsService;
  autoCompleteDays: number;
  reference: ReferenceData;
  /** After bookings completed (committed): whole-chain steps they unblocked are booked. */
  onCompleted?: () => Promise<unknown>;
}

export const todayOf = (deps: Pick<LabDeps, 'clock'>) => shanghaiDate(deps.clock.now());
