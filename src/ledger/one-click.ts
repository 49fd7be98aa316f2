import { assertCan, type EnterprisePrincipal, type Principal } from '../auth/access.js';
import type { NodeServiceRef, WindowAvailability } from '../capacity/availability.js';
import { findNodeServiceById } from '../capacity/capacity.repo.js';
import { nodesOfferingService } from '../catalog/catalog.repo.js';
import { findEnterpriseById } from '../enterprises/enterprises.repo.js';
import type { Executor } from '../db/client.js';
import type { LedgerDeps } from './context.js';
import { todayOf } from './context.js';
import * as repo from './ledger.repo.js';
import { ledgerFilter } from './listing.js';
import { COMPULSORY_USES, type CompulsoryUse } from './rules.js';

/* 一键预约, the proposal: the chosen (or all due) instruments grouped by the service that calibrates their category,
   each group with the nodes offering it and the earliest windows that can take all of its instruments. */

/** More lines than one booking takes (the booking form's limit). */
export const MAX_LINES_PER_BOOKING = 50;
const MAX_SELECTED = 200;

export type Entry = repo.LedgerListRow;
type CalibrationService = Awaited<ReturnType<typeof repo.calibrationServicesFor>>[number];

export interface ProposalGroup {
  service: CalibrationService;
  entries: Entry[];
  nodes: { id: number; name: string; shortName: string; parkId: number | null; ref: NodeServiceRef; windows: WindowAvailability[] }[];
  /** The node proposed (the user's choice, else the one with the earliest window, the company's park first on a tie). */
  node?: ProposalGroup['nodes'][number];
  deliveryMode: string;
}

/** The entries a proposal is about: those chosen on the list, or every in-use entry overdue or due within 30 days. */
export async function selectedEntries(deps: LedgerDeps, user: EnterprisePrincipal, ids: number[]): Promise<Entry[]> {
  const { filter } = ledgerFilter(user.enterpriseId, todayOf(deps), ids.length ? { page: 1 } : { due: 'attention', page: 1 });
  if (ids.length) filter.ids = ids.slice(0, MAX_SELECTED);
  const rows = await repo.listInstruments(deps.db, filter, 'due', { limit: MAX_SELECTED, offset: 0 });
  return rows.filter((r) => r.status !== 'scrapped');
}

/** An entry with a calibration booking still open for it (same serial number and category), and that booking. */
export interface BookedEntry {
  entry: Entry;
  numbers: string[];
}

/**
 * The entries already in an open calibration booking of the company: they are left out of 一键预约 (the list showed
 * them due until their certificate comes back, and booking them again made a second booking of the same instrument).
 */
export async function alreadyBooked(ex: Executor, enterpriseId: number, entries: Entry[]): Promise<BookedEntry[]> {
  const open = await repo.openBookingsOfSerials(ex, enterpriseId, entries.map((e) => e.serialNo));
  return entries.flatMap((entry) => {
    const numbers = [...new Set(open.filter((b) => b.serialNo === entry.serialNo && b.categoryCode === entry.categoryCode).map((b) => b.number))];
    return numbers.length ? [{ entry, numbers }] : [];
  });
}

/** The booking line an entry becomes (the booking form's instrument row). */
export function bookingLine(e: Entry): Record<string, string> {
  return {
    name: e.name,
    model: e.model,
    serialNo: e.serialNo,
    range: e.measuringRange,
    accuracyClass: e.accuracyClass,
    quantity: '1',
    compulsory: e.compulsory ? 'on' : '',
    intendedUse: e.compulsoryUse ? COMPULSORY_USES[e.compulsoryUse as CompulsoryUse] : '',
  };
}

const windowOrder = (w: WindowAvailability | undefined) => (w ? `${w.date}|${w.start}` : '9999');

/** The entries grouped by the active service that calibrates their category; entries no service calibrates apart. */
export async function groupByService(deps: LedgerDeps, entries: Entry[]) {
  const services = await repo.calibrationServicesFor(deps.db, [...new Set(entries.map((e) => e.categoryCode))]);
  const groups = services.map((service) => ({ service, entries: entries.filter((e) => e.categoryCode === service.categoryCode) })).filter((g) => g.entries.length > 0);
  return { groups, unbookable: entries.filter((e) => !services.some((s) => s.categoryCode === e.categoryCode)) };
}

/** The nodes offering a group's service, each with its next windows that can take every instrument of the group. */
async function nodesFor(deps: LedgerDeps, service: CalibrationService, units: number) {
  const offering = await nodesOfferingService(deps.db, service.id);
  const refs = (await Promise.all(offering.map((n) => findNodeServiceById(deps.db, n.nodeServiceId)))).flatMap((ns) => (ns ? [{ ns, kind: 'calibration' as const }] : []));
  const free = units <= MAX_LINES_PER_BOOKING ? await deps.availability.nextFree(refs, 6, units) : new Map<number, WindowAvailability[]>();
  return offering.flatMap((n) => {
    const ref = refs.find((r) => r.ns.nodeId === n.id);
    return ref ? [{ id: n.id, name: n.name, shortName: n.shortName, parkId: n.parkId, ref, windows: free.get(ref.ns.id) ?? [] }] : [];
  });
}

/** Groups the entries by service and proposes a node and the next free windows for each group. */
export async function groupProposal(deps: LedgerDeps, user: EnterprisePrincipal, entries: Entry[], chosenNodes: Record<string, number>) {
  const { groups: byService, unbookable } = await groupByService(deps, entries);
  const company = await findEnterpriseById(deps.db, user.enterpriseId);
  const groups: ProposalGroup[] = [];
  for (const { service, entries: mine } of byService) {
    const nodes = await nodesFor(deps, service, mine.length);
    const ranked = [...nodes].sort((a, b) => windowOrder(a.windows[0]).localeCompare(windowOrder(b.windows[0])) || Number(b.parkId === company?.parkId) - Number(a.parkId === company?.parkId));
    const node = nodes.find((n) => n.id === chosenNodes[service.code]) ?? ranked.find((n) => n.windows.length) ?? ranked[0];
    groups.push({ service, entries: mine, nodes, ...(node ? { node } : {}), deliveryMode: service.deliveryModes.includes('send_in') ? 'send_in' : service.deliveryModes[0]! });
  }
  return { groups, unbookable, company };
}

/** The proposal page's model: the instruments already booked are named apart, not proposed again. */
export async function proposal(deps: LedgerDeps, user: Principal, query: { ids: number[]; nodes: Record<string, number> }) {
  assertCan(user, 'ledger.manage');
  const selected = await selectedEntries(deps, user, query.ids);
  const booked = await alreadyBooked(deps.db, user.enterpriseId, selected);
  const entries = selected.filter((e) => !booked.some((b) => b.entry.id === e.id));
  const { groups, unbookable, company } = await groupProposal(deps, user, entries, query.nodes);
  return { entries, groups, unbookable, booked, onsiteAddress: company?.address ?? '', maxLines: MAX_LINES_PER_BOOKING };
}
