import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { bookings, bundleSteps, bundles, chainRequests, chainSteps, enterprises, nodes, reports, services } from '../db/schema.js';

export type BundleRow = typeof bundles.$inferSelect;
export type ChainRow = typeof chainRequests.$inferSelect;
export type ChainStepRow = typeof chainSteps.$inferSelect;
export type NewChainStep = Omit<typeof chainSteps.$inferInsert, 'chainId'>;

// ── bundles ──

export async function listCurrentBundles(ex: Executor, opts: { activeOnly: boolean }) {
  return ex
    .select()
    .from(bundles)
    .where(opts.activeOnly ? and(eq(bundles.current, true), eq(bundles.active, true)) : eq(bundles.current, true))
    .orderBy(asc(bundles.code));
}

export async function findCurrentBundle(ex: Executor, code: string): Promise<BundleRow | undefined> {
  const [row] = await ex.select().from(bundles).where(and(eq(bundles.code, code), eq(bundles.current, true)));
  return row;
}

export async function findBundleById(ex: Executor, id: number): Promise<BundleRow | undefined> {
  const [row] = await ex.select().from(bundles).where(eq(bundles.id, id));
  return row;
}

/** Every version of a bundle, newest first, with its step titles (the edit page's history; two statements). */
export async function bundleHistory(ex: Executor, code: string) {
  const versions = await ex.select({ id: bundles.id, version: bundles.version, name: bundles.name, summary: bundles.summary, createdAt: bundles.createdAt }).from(bundles).where(eq(bundles.code, code)).orderBy(desc(bundles.version));
  if (versions.length === 0) return [];
  const steps = await ex.select({ bundleId: bundleSteps.bundleId, title: bundleSteps.title }).from(bundleSteps).where(inArray(bundleSteps.bundleId, versions.map((v) => v.id))).orderBy(asc(bundleSteps.bundleId), asc(bundleSteps.position));
  return versions.map((v) => ({ ...v, steps: steps.filter((s) => s.bundleId === v.id).map((s) => s.title) }));
}

/** A bundle version's steps with their service (code, name, kind, active). */
export async function stepsOfBundle(ex: Executor, bundleId: number) {
  return ex
    .select({
      position: bundleSteps.position,
      title: bundleSteps.title,
      dependsOn: bundleSteps.dependsOn,
      serviceId: services.id,
      serviceCode: services.code,
      serviceName: services.name,
      serviceActive: services.active,
      kind: services.bookingKind,
      turnaroundDays: services.turnaroundDays,
      categoryCode: services.categoryCode,
    })
    .from(bundleSteps)
    .innerJoin(services, eq(services.id, bundleSteps.serviceId))
    .where(eq(bundleSteps.bundleId, bundleId))
    .orderBy(asc(bundleSteps.position));
}

export async function insertBundleVersion(
  ex: Executor,
  values: { code: string; version: number; name: string; summary: string; active: boolean; createdBy: number | null },
  steps: { position: number; title: string; serviceId: number; dependsOn: number[] }[],
): Promise<number> {
  const [row] = await ex.insert(bundles).values({ ...values, current: true }).returning({ id: bundles.id });
  await ex.insert(bundleSteps).values(steps.map((s) => ({ ...s, bundleId: row!.id })));
  return row!.id;
}

export async function retireCurrent(ex: Executor, code: string): Promise<void> {
  await ex.update(bundles).set({ current: false, active: false }).where(and(eq(bundles.code, code), eq(bundles.current, true)));
}

export async function setBundleActive(ex: Executor, code: string, active: boolean): Promise<void> {
  await ex.update(bundles).set({ active }).where(and(eq(bundles.code, code), eq(bundles.current, true)));
}

export async function servicesByCodes(ex: Executor, codes: string[]) {
  if (codes.length === 0) return [];
  return ex.select({ id: services.id, code: services.code, name: services.name, active: services.active }).from(services).where(inArray(services.code, codes));
}

export async function serviceChoices(ex: Executor) {
  return ex.select({ code: services.code, name: services.name }).from(services).where(eq(services.active, true)).orderBy(asc(services.categoryCode), asc(services.sortOrder));
}

// ── chains ──

export async function insertChain(ex: Executor, values: typeof chainRequests.$inferInsert, steps: NewChainStep[]): Promise<number> {
  const [row] = await ex.insert(chainRequests).values(values).returning({ id: chainRequests.id });
  await ex.insert(chainSteps).values(steps.map((s) => ({ ...s, chainId: row!.id })));
  return row!.id;
}

export async function findChainNumberByKey(ex: Executor, enterpriseId: number, key: string): Promise<string | undefined> {
  const [row] = await ex.select({ number: chainRequests.number }).from(chainRequests).where(and(eq(chainRequests.enterpriseId, enterpriseId), eq(chainRequests.idempotencyKey, key)));
  return row?.number;
}

export async function findChain(ex: Executor, number: string) {
  const [row] = await ex
    .select({ chain: chainRequests, bundleName: bundles.name, bundleVersion: bundles.version, bundleActive: bundles.active, bundleCode: bundles.code, enterpriseName: enterprises.name })
    .from(chainRequests)
    .innerJoin(bundles, eq(bundles.id, chainRequests.bundleId))
    .innerJoin(enterprises, eq(enterprises.id, chainRequests.enterpriseId))
    .where(eq(chainRequests.number, number));
  return row;
}

/** A chain's steps with their node, service and booking (if booked). */
export async function stepsOfChain(ex: Executor, chainIds: number[]) {
  if (chainIds.length === 0) return [];
  return ex
    .select({
      step: chainSteps,
      nodeName: nodes.name,
      serviceCode: services.code,
      serviceName: services.name,
      kind: services.bookingKind,
      turnaroundDays: services.turnaroundDays,
      bookingNumber: bookings.number,
      bookingStatus: bookings.status,
      bookingDate: bookings.date,
      bookingWindow: bookings.window,
      dueDate: bookings.dueDate,
      closedAt: bookings.closedAt,
    })
    .from(chainSteps)
    .innerJoin(nodes, eq(nodes.id, chainSteps.nodeId))
    .innerJoin(services, eq(services.id, chainSteps.serviceId))
    .leftJoin(bookings, eq(bookings.id, chainSteps.bookingId))
    .where(inArray(chainSteps.chainId, chainIds))
    .orderBy(asc(chainSteps.chainId), asc(chainSteps.position));
}

export type ChainStepView = Awaited<ReturnType<typeof stepsOfChain>>[number];

/** Chains in a reader's scope (null: all), newest first. */
export async function listChains(ex: Executor, scope: { enterpriseId?: number; parkId?: number; openOnly?: boolean }, limit = 200) {
  const where = and(
    scope.enterpriseId !== undefined ? eq(chainRequests.enterpriseId, scope.enterpriseId) : undefined,
    scope.parkId !== undefined ? eq(chainRequests.parkId, scope.parkId) : undefined,
    scope.openOnly ? eq(chainRequests.status, 'open') : undefined,
  );
  return ex
    .select({ chain: chainRequests, bundleName: bundles.name, enterpriseName: enterprises.name })
    .from(chainRequests)
    .innerJoin(bundles, eq(bundles.id, chainRequests.bundleId))
    .innerJoin(enterprises, eq(enterprises.id, chainRequests.enterpriseId))
    .where(where)
    .orderBy(desc(chainRequests.createdAt), desc(chainRequests.id))
    .limit(limit);
}

export async function lockChain(ex: Executor, chainId: number): Promise<ChainRow | undefined> {
  const [row] = await ex.select().from(chainRequests).where(eq(chainRequests.id, chainId)).for('update');
  return row;
}

export async function updateStep(ex: Executor, stepId: number, patch: Partial<typeof chainSteps.$inferInsert>): Promise<void> {
  await ex.update(chainSteps).set(patch).where(eq(chainSteps.id, stepId));
}

export async function updateChain(ex: Executor, chainId: number, patch: Partial<typeof chainRequests.$inferInsert>): Promise<void> {
  await ex.update(chainRequests).set(patch).where(eq(chainRequests.id, chainId));
}

/** Steps that are ready to be booked (predecessors completed), oldest first. */
export async function readySteps(ex: Executor, chainId?: number) {
  return ex
    .select({ id: chainSteps.id, chainId: chainSteps.chainId })
    .from(chainSteps)
    .where(and(eq(chainSteps.state, 'ready'), chainId !== undefined ? eq(chainSteps.chainId, chainId) : undefined))
    .orderBy(asc(chainSteps.readyAt));
}

export async function findStep(ex: Executor, stepId: number): Promise<ChainStepRow | undefined> {
  const [row] = await ex.select().from(chainSteps).where(eq(chainSteps.id, stepId));
  return row;
}

/** Issued reports of a chain's bookings: the combined documents. */
export async function reportsOfBookings(ex: Executor, bookingIds: number[]) {
  if (bookingIds.length === 0) return [];
  return ex
    .select({ bookingId: reports.bookingId, number: reports.number, status: reports.status, version: reports.version, issuedAt: reports.issuedAt })
    .from(reports)
    .where(and(inArray(reports.bookingId, bookingIds), sql`${reports.status} <> 'revoked'`))
    .orderBy(asc(reports.issuedAt));
}
