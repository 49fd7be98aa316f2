import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Executor } from '../db/client.js';
import { bookings, enterprises, experts, needBookings, needMessages, needs, nodes, parks, serviceCategories, services, users } from '../db/schema.js';

export type NeedRow = typeof needs.$inferSelect;
export type ExpertRow = typeof experts.$inferSelect;

export async function insertNeed(ex: Executor, values: typeof needs.$inferInsert): Promise<number> {
  const [row] = await ex.insert(needs).values(values).returning({ id: needs.id });
  return row!.id;
}

export async function findNeed(ex: Executor, number: string) {
  const [row] = await ex
    .select({ need: needs, enterpriseName: enterprises.name, parkName: parks.name, expertUserId: experts.userId, expertName: users.name })
    .from(needs)
    .leftJoin(enterprises, eq(enterprises.id, needs.enterpriseId))
    .leftJoin(parks, eq(parks.id, needs.parkId))
    .leftJoin(experts, eq(experts.id, needs.expertId))
    .leftJoin(users, eq(users.id, experts.userId))
    .where(eq(needs.number, number));
  return row;
}

export async function lockNeed(ex: Executor, id: number): Promise<NeedRow | undefined> {
  const [row] = await ex.select().from(needs).where(eq(needs.id, id)).for('update');
  return row;
}

export async function updateNeed(ex: Executor, id: number, patch: Partial<typeof needs.$inferInsert>): Promise<void> {
  await ex.update(needs).set({ ...patch, updatedAt: sql`now()` }).where(eq(needs.id, id));
}

/** Needs matching a reader's filter, newest first. */
export async function listNeeds(ex: Executor, where: SQL | undefined, limit = 300) {
  return ex
    .select({ need: needs, enterpriseName: enterprises.name, parkName: parks.name, expertName: users.name })
    .from(needs)
    .leftJoin(enterprises, eq(enterprises.id, needs.enterpriseId))
    .leftJoin(parks, eq(parks.id, needs.parkId))
    .leftJoin(experts, eq(experts.id, needs.expertId))
    .leftJoin(users, eq(users.id, experts.userId))
    .where(where)
    .orderBy(desc(needs.createdAt), desc(needs.id))
    .limit(limit);
}

export const needsOfExpertOrPool = (expertId: number | null) =>
  expertId === null ? sql`false` : or(eq(needs.expertId, expertId), and(eq(needs.status, 'submitted'), sql`${needs.expertId} IS NULL`));

export async function expertOfUser(ex: Executor, userId: number): Promise<ExpertRow | undefined> {
  const [row] = await ex.select().from(experts).where(eq(experts.userId, userId));
  return row;
}

/** The pool with each expert's open load and past ratings. */
export async function expertPool(ex: Executor) {
  const result = await ex.execute(sql`
    SELECT x.id, x.user_id AS "userId", u.name, x.organisation, x.fields, x.tags, x.qualifications, x.available, to_char(x.paused_until, 'YYYY-MM-DD') AS "pausedUntil", x.max_load AS "maxLoad",
      (SELECT count(*)::int FROM needs n WHERE n.expert_id = x.id AND n.status IN ('assigned','answering')) AS load,
      (SELECT count(*)::int FROM needs n WHERE n.expert_id = x.id AND n.rating_level IS NOT NULL) AS rated,
      (SELECT avg(n.rating_level)::float FROM needs n WHERE n.expert_id = x.id AND n.rating_level IS NOT NULL) AS rating
    FROM experts x JOIN users u ON u.id = x.user_id WHERE u.active ORDER BY x.id`);
  return rowsOf<{ id: number; userId: number; name: string; organisation: string; fields: string[]; tags: string[]; qualifications: string[]; available: boolean; pausedUntil: string | null; maxLoad: number; load: number; rated: number; rating: number | null }>(result);
}

export type PoolExpert = Awaited<ReturnType<typeof expertPool>>[number];

export async function insertMessage(ex: Executor, values: typeof needMessages.$inferInsert): Promise<number> {
  const [row] = await ex.insert(needMessages).values(values).returning({ id: needMessages.id });
  return row!.id;
}

export async function messagesOf(ex: Executor, needId: number) {
  return ex
    .select({ id: needMessages.id, body: needMessages.body, createdAt: needMessages.createdAt, authorId: users.id, authorName: users.name, authorRole: users.role })
    .from(needMessages)
    .innerJoin(users, eq(users.id, needMessages.authorId))
    .where(eq(needMessages.needId, needId))
    .orderBy(asc(needMessages.id));
}

export async function userIdsOfExperts(ex: Executor, ids: number[]) {
  if (ids.length === 0) return [];
  return ex.select({ id: experts.id, userId: experts.userId }).from(experts).where(inArray(experts.id, ids));
}

/** Figures for the dashboard: needs by type, park and status; first-answer time; resolution rate. */
export async function needStats(ex: Executor) {
  const q = async <T>(s: SQL) => rowsOf<T>(await ex.execute(s));
  const [byType, byPark, byStatus, timing] = await Promise.all([
    q<{ label: string; n: number }>(sql`SELECT type AS label, count(*)::int AS n FROM needs GROUP BY type ORDER BY n DESC`),
    q<{ label: string; n: number }>(sql`SELECT coalesce(p.name, '未入园企业') AS label, count(*)::int AS n FROM needs n LEFT JOIN parks p ON p.id = n.park_id GROUP BY p.name ORDER BY n DESC`),
    q<{ label: string; n: number }>(sql`SELECT status::text AS label, count(*)::int AS n FROM needs GROUP BY status ORDER BY status`),
    q<{ answered: number; hours: number | null; total: number; resolved: number }>(sql`SELECT count(first_answer_at)::int AS answered,
        avg(extract(epoch FROM first_answer_at - created_at) / 3600)::float AS hours, count(*)::int AS total,
        count(*) FILTER (WHERE status IN ('resolved','rated'))::int AS resolved FROM needs`),
  ]);
  return { byType, byPark, byStatus, timing: timing[0]! };
}

/** One expert's profile with the name shown on it. */
export async function findExpert(ex: Executor, id: number) {
  const [row] = await ex.select({ expert: experts, name: users.name }).from(experts).innerJoin(users, eq(users.id, experts.userId)).where(eq(experts.id, id));
  return row;
}

export async function updateExpert(ex: Executor, id: number, patch: Partial<typeof experts.$inferInsert>): Promise<void> {
  await ex.update(experts).set(patch).where(eq(experts.id, id));
}

/** Active services by code (what an expert may propose), in the order asked. */
export async function servicesByCode(ex: Executor, codes: string[]) {
  if (codes.length === 0) return [];
  const rows = await ex
    .select({ id: services.id, code: services.code, name: services.name, active: services.active, kind: services.bookingKind, turnaroundDays: services.turnaroundDays, categoryCode: services.categoryCode })
    .from(services)
    .where(inArray(services.code, codes));
  return codes.flatMap((c) => rows.filter((r) => r.code === c));
}

/** Services an expert may propose: the active catalogue, by category as the catalogue lists it. */
export async function proposableServices(ex: Executor) {
  return ex
    .select({ code: services.code, name: services.name, categoryName: serviceCategories.name })
    .from(services)
    .innerJoin(serviceCategories, eq(serviceCategories.code, services.categoryCode))
    .where(eq(services.active, true))
    .orderBy(asc(serviceCategories.sortOrder), asc(services.sortOrder), asc(services.code));
}

export async function insertNeedBookings(ex: Executor, needId: number, bookingIds: number[]): Promise<void> {
  if (bookingIds.length) await ex.insert(needBookings).values(bookingIds.map((bookingId) => ({ needId, bookingId })));
}

/** The single bookings a need was turned into. */
export async function bookingsOfNeed(ex: Executor, needId: number) {
  return ex
    .select({ number: bookings.number, status: bookings.status, date: bookings.date, window: bookings.window, serviceName: services.name, nodeName: nodes.name })
    .from(needBookings)
    .innerJoin(bookings, eq(bookings.id, needBookings.bookingId))
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .innerJoin(nodes, eq(nodes.id, bookings.nodeId))
    .where(eq(needBookings.needId, needId))
    .orderBy(asc(bookings.id));
}

