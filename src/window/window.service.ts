import type { Principal } from '../auth/access.js';
import { caseDetail, caseRef, closeCase, issueReceipt, openCase } from './cases.js';
import { findCompanies, registerUnowned } from './companies.js';
import type { WindowDeps } from './context.js';
import { dutyRoster, setDuty, windowStats } from './duty.js';
import { issueTicket, moveTicket, queueConsole, queueScreen, type TicketMove } from './queue.js';
import * as repo from './window.repo.js';
import { assertCan } from '../auth/access.js';
import { NotFoundError } from '../shared/errors.js';

/**
 * The walk-in window's face: companies (companies.ts), cases and receipts (cases.ts), the queue (queue.ts), duty and
 * statistics (duty.ts). Booking itself goes through the bookings feature's one path (bookings.onBehalf).
 */
export function makeWindowService(deps: WindowDeps) {
  return {
    find: (staff: Principal, q: string) => findCompanies(deps, staff, q),
    openCases: (staff: Principal) => {
      assertCan(staff, 'window.operate');
      return repo.openCasesOfNode(deps.db, staff.nodeId);
    },
    company: async (staff: Principal, id: number) => {
      assertCan(staff, 'window.operate');
      const company = await repo.findCompany(deps.db, id);
      if (!company) throw new NotFoundError();
      return company;
    },
    registerCompany: (staff: Principal, input: unknown) => registerUnowned(deps, staff, input),
    openCase: (staff: Principal, input: unknown) => openCase(deps, staff, input),
    caseDetail: (staff: Principal, id: number) => caseDetail(deps, staff, id),
    caseRef: (staff: Principal, id: number) => caseRef(deps, staff, id),
    closeCase: (staff: Principal, id: number) => closeCase(deps, staff, id),
    receipt: (staff: Principal, id: number) => issueReceipt(deps, staff, id),
    queue: (staff: Principal) => queueConsole(deps, staff),
    issueTicket: (staff: Principal, input: unknown) => issueTicket(deps, staff, input),
    moveTicket: (staff: Principal, id: number, move: TicketMove) => moveTicket(deps, staff, id, move),
    screen: (nodeId: number) => queueScreen(deps, nodeId),
    roster: (manager: Principal) => dutyRoster(deps, manager),
    setDuty: (manager: Principal, userId: number, on: boolean) => setDuty(deps, manager, userId, on),
    stats: (user: Principal) => windowStats(deps, user),
  };
}

export type WindowService = ReturnType<typeof makeWindowService>;
