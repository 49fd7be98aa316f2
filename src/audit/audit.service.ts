import { assertCan, type Principal } from '../auth/access.js';
import { findBookingByNumber } from '../bookings/bookings.repo.js';
import type { Db } from '../db/client.js';
import { addDays, isIsoDate, shanghaiStartOfDay } from '../shared/time.js';
import { listEvents, namesOfEntities, type EventFilter } from './audit.repo.js';
import { AUDIT_ACTIONS, auditLine, entityIds, entityRefs } from './audit.view.js';

const PAGE_SIZE = 50;

export function makeAuditService(db: Db) {
  return {
    async list(user: Principal, query: { actor?: string; booking?: string; action?: string; from?: string; to?: string; page: number }) {
      assertCan(user, 'audit.read');
      const filter: EventFilter = {};
      let unknownBooking = false;
      if (query.actor) filter.actorQuery = query.actor;
      if (query.action && Object.hasOwn(AUDIT_ACTIONS, query.action)) filter.action = query.action;
      if (query.from && isIsoDate(query.from)) filter.from = shanghaiStartOfDay(query.from);
      if (query.to && isIsoDate(query.to)) filter.to = shanghaiStartOfDay(addDays(query.to, 1));
      if (query.booking) {
        const booking = await findBookingByNumber(db, query.booking.trim().toUpperCase());
        if (booking) {
          filter.entityType = 'booking';
          filter.entityId = String(booking.id);
        } else unknownBooking = true;
      }
      const { rows, total } = unknownBooking ? { rows: [], total: 0 } : await listEvents(db, filter, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE });
      // The records the page names (booking numbers, report numbers, names), looked up once for the page.
      const refs = entityRefs(await namesOfEntities(db, entityIds(rows)));
      return { rows: rows.map((r) => auditLine(r, refs)), total, page: query.page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)), unknownBooking };
    },
  };
}

export type AuditService = ReturnType<typeof makeAuditService>;
