import { and, asc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { instrumentCategories, nodes, nodeServices, oilEditions, oilGrades, oilPackages, oilTestItems, parks, serviceCategories, services } from '../db/schema.js';

export async function listParks(ex: Executor) {
  return ex.select({ id: parks.id, code: parks.code, name: parks.name, district: parks.district }).from(parks).orderBy(asc(parks.id));
}

// Correlated subqueries name the outer table explicitly (service_categories.code, nodes.id …): inside a `sql`
// template Drizzle drops the table prefix of a single-table select, which would bind to the inner table.
export async function listCategories(ex: Executor) {
  return ex
    .select({
      code: serviceCategories.code,
      name: serviceCategories.name,
      description: serviceCategories.description,
      bookingPrefix: serviceCategories.bookingPrefix,
      serviceCount: sql<number>`(SELECT count(*)::int FROM ${services} s WHERE s.category_code = service_categories.code AND s.active)`,
    })
    .from(serviceCategories)
    .orderBy(asc(serviceCategories.sortOrder));
}

const nodeColumns = {
  id: nodes.id,
  code: nodes.code,
  name: nodes.name,
  shortName: nodes.shortName,
  kind: nodes.kind,
  parkId: nodes.parkId,
  parkName: parks.name,
  district: nodes.district,
  address: nodes.address,
  hours: nodes.hours,
  phone: nodes.phone,
  contactName: nodes.contactName,
  description: nodes.description,
  active: nodes.active,
};

export async function listNodes(ex: Executor, opts: { includeInactive?: boolean } = {}) {
  return ex
    .select({
      ...nodeColumns,
      serviceCount: sql<number>`(SELECT count(*)::int FROM ${nodeServices} ns JOIN ${services} s ON s.id = ns.service_id
                                   WHERE ns.node_id = nodes.id AND ns.active AND s.active)`,
    })
    .from(nodes)
    .leftJoin(parks, eq(parks.id, nodes.parkId))
    .where(opts.includeInactive ? undefined : eq(nodes.active, true))
    .orderBy(asc(nodes.sortOrder), asc(nodes.id));
}

export async function findNode(ex: Executor, id: number) {
  const rows = await ex
    .select(nodeColumns).from(nodes).leftJoin(parks, eq(parks.id, nodes.parkId)).where(eq(nodes.id, id));
  return rows[0];
}

const serviceColumns = {
  id: services.id,
  code: services.code,
  name: services.name,
  categoryCode: services.categoryCode,
  categoryName: serviceCategories.name,
  bookingPrefix: serviceCategories.bookingPrefix,
  bookingKind: services.bookingKind,
  summary: services.summary,
  description: services.description,
  standards: services.standards,
  turnaroundDays: services.turnaroundDays,
  feeBasis: services.feeBasis,
  requiredDocuments: services.requiredDocuments,
  instrumentCategoryCode: services.instrumentCategoryCode,
  gradeCodes: services.gradeCodes,
  packageCodes: services.packageCodes,
  deliveryModes: services.deliveryModes,
  active: services.active,
};

export type ServiceRow = Awaited<ReturnType<typeof findServiceByCode>>;

/** Active services, optionally of one category and matching a search over name, code, standards and keywords. */
export async function searchServices(ex: Executor, opts: { category?: string; q?: string }) {
  const conditions = [eq(services.active, true)];
  if (opts.category) conditions.push(eq(services.categoryCode, opts.category));
  if (opts.q) {
    const pattern = `%${opts.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    conditions.push(
      or(
        ilike(services.name, pattern),
        ilike(services.code, pattern),
        ilike(services.keywords, pattern),
        ilike(services.summary, pattern),
        sql`array_to_string(${services.standards}, ' ') ILIKE ${pattern}`,
      )!,
    );
  }
  return ex
    .select({
      ...serviceColumns,
      nodeCount: sql<number>`(SELECT count(*)::int FROM ${nodeServices} ns JOIN ${nodes} n ON n.id = ns.node_id
                               WHERE ns.service_id = services.id AND ns.active AND n.active)`,
    })
    .from(services)
    .innerJoin(serviceCategories, eq(serviceCategories.code, services.categoryCode))
    .where(and(...conditions))
    .orderBy(asc(serviceCategories.sortOrder), asc(services.sortOrder), asc(services.code));
}

export async function findServiceByCode(ex: Executor, code: string) {
  const rows = await ex
    .select({ ...serviceColumns, guide: services.guide, instrumentCompulsory: instrumentCategories.compulsory, instrumentCategoryName: instrumentCategories.name })
    .from(services)
    .innerJoin(serviceCategories, eq(serviceCategories.code, services.categoryCode))
    .leftJoin(instrumentCategories, eq(instrumentCategories.code, services.instrumentCategoryCode))
    .where(eq(services.code, code));
  return rows[0];
}

/** Instrument categories by discipline: code, name, discipline (pickers). */
export async function listInstrumentCategories(ex: Executor) {
  return ex.select({ code: instrumentCategories.code, name: instrumentCategories.name, discipline: instrumentCategories.discipline }).from(instrumentCategories).orderBy(asc(instrumentCategories.discipline), asc(instrumentCategories.code));
}

export async function findInstrumentCategory(ex: Executor, code: string) {
  const rows = await ex.select().from(instrumentCategories).where(eq(instrumentCategories.code, code));
  return rows[0];
}

/** Nodes offering a service (active offering at an active node). */
export async function nodesOfferingService(ex: Executor, serviceId: number) {
  return ex
    .select({ ...nodeColumns, nodeServiceId: nodeServices.id })
    .from(nodeServices)
    .innerJoin(nodes, eq(nodes.id, nodeServices.nodeId))
    .leftJoin(parks, eq(parks.id, nodes.parkId))
    .where(and(eq(nodeServices.serviceId, serviceId), eq(nodeServices.active, true), eq(nodes.active, true)))
    .orderBy(asc(nodes.sortOrder));
}

/** Services a node offers, grouped by the caller. */
export async function servicesOfNode(ex: Executor, nodeId: number) {
  return ex
    .select({ ...serviceColumns, nodeServiceId: nodeServices.id })
    .from(nodeServices)
    .innerJoin(services, eq(services.id, nodeServices.serviceId))
    .innerJoin(serviceCategories, eq(serviceCategories.code, services.categoryCode))
    .where(and(eq(nodeServices.nodeId, nodeId), eq(nodeServices.active, true), eq(services.active, true)))
    .orderBy(asc(serviceCategories.sortOrder), asc(services.sortOrder));
}

// ───── oil-test reference data (grades, packages, items, limits) ─────

export async function oilGradesByCodes(ex: Executor, codes: string[]) {
  if (codes.length === 0) return [];
  return ex.select().from(oilGrades).where(inArray(oilGrades.code, codes)).orderBy(asc(oilGrades.sortOrder));
}

export async function listOilGrades(ex: Executor) {
  return ex.select().from(oilGrades).orderBy(asc(oilGrades.sortOrder));
}

export async function oilPackagesByCodes(ex: Executor, codes: string[]) {
  if (codes.length === 0) return [];
  return ex.select().from(oilPackages).where(inArray(oilPackages.code, codes));
}

/** Specification editions of the oil desk (bookable or not, with the notice for those that are not). */
export async function listOilEditions(ex: Executor) {
  return ex.select().from(oilEditions).orderBy(asc(oilEditions.sortOrder));
}

export async function listOilPackagesAll(ex: Executor) {
  return ex.select().from(oilPackages).orderBy(asc(oilPackages.code));
}

export async function listOilTestItems(ex: Executor) {
  return ex.select().from(oilTestItems).orderBy(asc(oilTestItems.sortOrder));
}

/** Does a test item (applies_to: marine / marine-residual / diesel …) apply to a grade family? */
export function itemAppliesToFamily(appliesTo: readonly string[], family: string): boolean {
  return appliesTo.includes(family) || (appliesTo.includes('marine') && family.startsWith('marine'));
}
