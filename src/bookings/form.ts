import { assertCan, type Principal } from '../auth/access.js';
import type { DayAvailability, WindowAvailability } from '../capacity/availability.js';
import { findNodeService } from '../capacity/capacity.repo.js';
import { findInstrumentCategory, findServiceByCode, itemAppliesToFamily, listOilEditions, nodesOfferingService, oilGradesByCodes, oilPackagesByCodes, type ServiceRow } from '../catalog/catalog.repo.js';
import { SULPHUR_REQUIREMENTS } from '../lab/limits.js';
import { pricesInForce } from '../fees/fees.repo.js';
import { NotFoundError } from '../shared/errors.js';
import { addDays, isIsoDate } from '../shared/time.js';
import { SOURCE_TYPES } from './bookings.schemas.js';
import type { BookingsDeps } from './context.js';

/** Days of windows shown on the booking form at a time (the user pages through the horizon). */
export const FORM_DAYS = 14;

export type ActiveService = NonNullable<ServiceRow>;

export async function activeService(deps: Pick<BookingsDeps, 'db'>, code: string): Promise<ActiveService> {
  const service = await findServiceByCode(deps.db, code);
  if (!service || !service.active) throw new NotFoundError('该服务不存在或已下线。');
  return service;
}

/** Marine fuels: the customer says which statutory sulphur limit the fuel must meet. */
export const isMarineFamily = (family: string) => family.startsWith('marine');

/**
 * The oil desk's choices for a service: its grades (with the editions that can be booked for each and the qualities
 * to choose from), the editions that cannot be booked and why, packages, and the test items that apply.
 */
export async function oilReference(deps: Pick<BookingsDeps, 'db' | 'reference'>, service: ActiveService) {
  const [grades, packages, items, editions] = await Promise.all([
    oilGradesByCodes(deps.db, service.gradeCodes ?? []),
    oilPackagesByCodes(deps.db, service.packageCodes ?? []),
    deps.reference.oilTestItems(),
    listOilEditions(deps.db),
  ]);
  const families = new Set(grades.map((g) => g.family));
  return {
    grades,
    packages,
    // only items that apply to at least one grade of this service
    items: items.filter((i) => [...families].some((f) => itemAppliesToFamily(i.appliesTo, f))),
    editionNames: Object.fromEntries(editions.map((e) => [e.code, e.name])) as Record<string, string>,
    /** Editions customers ask for that the lab cannot judge against yet (no verified limits). */
    unbookableEditions: editions.filter((e) => !e.bookable && e.notice && e.families.some((f) => families.has(f))),
    sulphurRequirements: SULPHUR_REQUIREMENTS,
    sourceTypes: SOURCE_TYPES,
  };
}

/** Everything the booking form shows: the service, the nodes offering it, the chosen node's windows, reference data. */
export async function formContext(deps: BookingsDeps, user: Principal, serviceCode: string, nodeId: number | undefined, fromDate?: string) {
  assertCan(user, 'booking.create');
  return formContextChecked(deps, serviceCode, nodeId, fromDate);
}

/** The form for a caller whose right to book was established otherwise; `allowedNodes` narrows the nodes offered. */
export async function formContextChecked(deps: BookingsDeps, serviceCode: string, nodeId: number | undefined, fromDate?: string, allowedNodes?: (id: number) => boolean) {
  const { db, availability } = deps;
  const service = await activeService(deps, serviceCode);
  const nodes = (await nodesOfferingService(db, service.id)).filter((n) => !allowedNodes || allowedNodes(n.id));
  const node = nodeId !== undefined ? nodes.find((n) => n.id === nodeId) : nodes.length === 1 ? nodes[0] : undefined;
  let days: DayAvailability[] = [];
  let urgentPercent: number | null = null;
  const { today, last } = availability.bookingRange();
  // The two weeks shown start at `fromDate` (paging), never before today or after the horizon.
  const from = fromDate && isIsoDate(fromDate) && fromDate > today ? (fromDate > last ? last : fromDate) : today;
  const windowPage = {
    previous: from > today ? (addDays(from, -FORM_DAYS) > today ? addDays(from, -FORM_DAYS) : today) : null,
    next: addDays(from, FORM_DAYS) <= last ? addDays(from, FORM_DAYS) : null,
  };
  if (node) {
    const ns = await findNodeService(db, node.id, service.id);
    if (ns) days = (await availability.forNodeServices([{ ns, kind: service.bookingKind }], from, addDays(from, FORM_DAYS - 1))).get(ns.id) ?? [];
    // 加急 is offered where the price in force at this node has a surcharge.
    urgentPercent = (await pricesInForce(db, [{ kind: 'service', code: service.code }], today, node.id)).get(`service|${service.code}`)?.urgentPercent ?? null;
  }
  const kindData =
    service.bookingKind === 'calibration'
      ? { instrumentCategory: service.instrumentCategoryCode ? await findInstrumentCategory(db, service.instrumentCategoryCode) : undefined }
      : service.bookingKind === 'oil_test'
        ? { oil: await oilReference(deps, service) }
        : {};
  return { service, nodes, node, days, windowPage, urgentPercent, ...kindData };
}

export type FormContext = Awaited<ReturnType<typeof formContextChecked>>;

/**
 * The form again after its window was refused (see REFUSAL_VIEW_TTL_MS): the context may be up to a second old, so the
 * refused window is shown as the refusal found it just now — full, or with the few places it has left.
 */
export function withRefusedWindow(context: FormContext, slot: string, free: number): FormContext {
  const [date, key] = slot.split('|');
  const asFound = (w: WindowAvailability): WindowAvailability => {
    const { unavailable, ...rest } = w;
    const left = Math.max(0, Math.min(free, w.capacity));
    const why = left === 0 ? 'full' : unavailable === 'full' ? undefined : unavailable;
    return { ...rest, free: left, used: w.capacity - left, ...(why ? { unavailable: why } : {}) };
  };
  return { ...context, days: context.days.map((d) => (d.date !== date ? d : { ...d, windows: d.windows.map((w) => (w.key === key ? asFound(w) : w)) })) };
}
