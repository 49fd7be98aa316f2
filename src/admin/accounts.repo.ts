import { and, asc, count, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { enterprises, nodes, parks, users } from '../db/schema.js';
import type { Role } from '../auth/access.js';

export type UserRow = typeof users.$inferSelect;

export interface UserFilter {
  roles?: Role[];
  nodeId?: number;
  q?: string;
  active?: boolean;
}

function like(q: string) {
  return `%${q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
}

export async function listUsers(ex: Executor, f: UserFilter, page: { limit: number; offset: number }) {
  const c: SQL[] = [];
  if (f.roles?.length) c.push(inArray(users.role, f.roles));
  if (f.nodeId !== undefined) c.push(eq(users.nodeId, f.nodeId));
  if (f.active !== undefined) c.push(eq(users.active, f.active));
  if (f.q) c.push(or(ilike(users.name, like(f.q)), ilike(users.mobile, like(f.q)), ilike(users.email, like(f.q)), ilike(enterprises.name, like(f.q)))!);
  const where = c.length ? and(...c) : undefined;
  const [rows, [total]] = await Promise.all([
    ex
      .select({ user: users, nodeName: nodes.shortName, parkName: parks.name, enterpriseName: enterprises.name })
      .from(users)
      .leftJoin(nodes, eq(nodes.id, users.nodeId))
      .leftJoin(parks, eq(parks.id, users.parkId))
      .leftJoin(enterprises, eq(enterprises.id, users.enterpriseId))
      .where(where)
      .orderBy(asc(users.role), asc(users.id))
      .limit(page.limit)
      .offset(page.offset),
    ex.select({ n: count() }).from(users).leftJoin(enterprises, eq(enterprises.id, users.enterpriseId)).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

export async function findUser(ex: Executor, id: number): Promise<UserRow | undefined> {
  const rows = await ex.select().from(users).where(eq(users.id, id));
  return rows[0];
}

export async function updateUser(ex: Executor, id: number, values: Partial<typeof users.$inferInsert>): Promise<UserRow> {
  const [row] = await ex.update(users).set({ ...values, updatedAt: sql`now()` }).where(eq(users.id, id)).returning();
  return row!;
}

export interface EnterpriseFilter {
  review?: 'pending';
  parkId?: number;
  q?: string;
  active?: boolean;
}

export async function listEnterprises(ex: Executor, f: EnterpriseFilter, page: { limit: number; offset: number }) {
  const c: SQL[] = [];
  if (f.review) c.push(eq(enterprises.creditCodeReview, 'pending'));
  if (f.parkId !== undefined) c.push(eq(enterprises.parkId, f.parkId));
  if (f.active !== undefined) c.push(eq(enterprises.active, f.active));
  if (f.q) c.push(or(ilike(enterprises.name, like(f.q)), ilike(enterprises.creditCode, like(f.q)))!);
  const where = c.length ? and(...c) : undefined;
  const [rows, [total]] = await Promise.all([
    ex
      .select({
        enterprise: enterprises,
        parkName: parks.name,
        userCount: sql<number>`(SELECT count(*)::int FROM users u WHERE u.enterprise_id = enterprises.id)`,
      })
      .from(enterprises)
      .leftJoin(parks, eq(parks.id, enterprises.parkId))
      .where(where)
      .orderBy(desc(sql`${enterprises.creditCodeReview} = 'pending'`), desc(enterprises.createdAt))
      .limit(page.limit)
      .offset(page.offset),
    ex.select({ n: count() }).from(enterprises).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

export async function findEnterpriseRow(ex: Executor, id: number) {
  const rows = await ex.select().from(enterprises).where(eq(enterprises.id, id));
  return rows[0];
}

export async function updateEnterprise(ex: Executor, id: number, values: Partial<typeof enterprises.$inferInsert>) {
  const [row] = await ex.update(enterprises).set({ ...values, updatedAt: sql`now()` }).where(eq(enterprises.id, id)).returning();
  return row!;
}

export async function userIdsOfEnterprise(ex: Executor, enterpriseId: number): Promise<number[]> {
  return (await ex.select({ id: users.id }).from(users).where(eq(users.enterpriseId, enterpriseId))).map((r) => r.id);
}
