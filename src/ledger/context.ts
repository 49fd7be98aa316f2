import type { Availability } from '../capacity/availability.js';
import type { ReferenceData } from '../catalog/reference.js';
import type { Db } from '../db/client.js';
import type { Outbox } from '../outbox/outbox.service.js';
import type { Logger } from '../shared/logger.js';
import { shanghaiDate, type Clock } from '../shared/time.js';
import type { DocumentStore } from '../uploads/storage.js';

/** What the ledger's use cases work with; built once by the composition root. */
export interface LedgerDeps {
  db: Db;
  /** For the exports only: the read replica when one is configured (src/db/read-replica.ts). */
  readDb?: Db;
  clock: Clock;
  logger: Logger;
  /** For one-click booking: the same capacity rules and writer as the booking form. */
  availability: Availability;
  storage: DocumentStore;
  reference: ReferenceData;
  outbox: Outbox;
  publicUrl: string;
}

export const todayOf = (deps: Pick<LedgerDeps, 'clock'>) => shanghaiDate(deps.clock.now());
