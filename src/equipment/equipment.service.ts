import { assertCan, type Principal } from '../auth/access.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/time.js';
import type { DocumentStore } from '../uploads/storage.js';
import { bookEquipment } from './book.js';
import { makeEquipmentCatalog } from './catalog.js';
import { makeDesk } from './desk.js';
import * as repo from './equipment.repo.js';
import { makeManage } from './manage.js';
import { makeNodeRecords } from './node-records.js';
import { makeOffers } from './offers.js';
import { makePlatform } from './platform.js';
import { makeStatements, type PeriodOf } from './statements.js';

export interface EquipmentDeps {
  db: Db;
  clock: Clock;
  storage: DocumentStore;
  /** The statistics' period parser (presets and custom dates), so both dashboards read periods alike. */
  periodOf: PeriodOf;
}

/**
 * Open sharing (开放共享): instruments the nodes share, booked by the hour. One face over the use-case modules —
 * catalog (public pages), book (a company books), desk (the node's work and every state change), manage (describing
 * instruments), node records (training, maintenance), platform (rules, suspensions, institutes), statements (money and
 * utilisation).
 */
export function makeEquipmentService(deps: EquipmentDeps) {
  const { db, clock } = deps;
  const desk = makeDesk(deps);
  return {
    catalog: makeEquipmentCatalog(deps),
    desk,
    manage: makeManage(deps),
    records: makeNodeRecords(deps),
    offers: makeOffers(deps),
    platform: makePlatform(deps),
    statements: makeStatements(deps),

    book: (user: Principal, equipmentId: number, input: unknown) => bookEquipment(db, clock, user, equipmentId, input),

    /** A company's equipment bookings, the trainings its people hold, and a suspension in force. */
    async mine(user: Principal) {
      assertCan(user, 'equipment.book');
      const colleagues = await repo.colleaguesOf(db, user.enterpriseId);
      const [rows, trainings, suspension] = await Promise.all([repo.bookingsOfEnterprise(db, user.enterpriseId), repo.trainingsOfUsers(db, colleagues.map((c) => c.id)), repo.activeSuspension(db, user.enterpriseId, clock.now())]);
      return { rows: rows.map((r) => ({ ...r, actions: desk.actionsOf(user, r) })), trainings: trainings.map((t) => ({ ...t, userName: colleagues.find((c) => c.id === t.userId)?.name ?? '' })), suspension: suspension ?? null, now: clock.now() };
    },
  };
}

export type EquipmentService = ReturnType<typeof makeEquipmentService>;
