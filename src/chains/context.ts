import type { Availability } from '../capacity/availability.js';
import type { ReferenceData } from '../catalog/reference.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/time.js';

/** What the chain use cases work with (the booking code's own dependencies: they book through it). */
export interface ChainsDeps {
  db: Db;
  availability: Availability;
  clock: Clock;
  reference: ReferenceData;
}
