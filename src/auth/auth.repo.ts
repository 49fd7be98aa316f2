import { and, eq, gt, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { runPrepared } from '../db/prepared.js';
import { enterprises, sessions, users } from '../db/schema.js';
import { asPrincipal, type Principal } from './access.js';

const principalColumns = {
  id: users.id,
  role: users.role,
  name: users.name,
  mobile: users.mobile,
  email: users.email,
  enterpriseId: users.enterpriseId,
  nodeId: users.nodeId,
  parkId: users.parkId,
  mustChangePassword: users.mustChangePassword,
  largeText: users.largeText,
  companyAdmin: users.companyAdmin,
  windowDuty: users.windowDuty,
  coordinatorSince: users.coordinatorSince,
};

/** An active user whose company (for enterprise users) is active too. */
const userIsUsable = and(eq(users.active, true), sql`(${users.enterpriseId} IS NULL OR ${enterprises.active})`);

const principalQuery = (ex: Executor) =>
  ex
    .select({
      ...principalColumns,
      unread: sql<number>`(SELECT count(*)::int FROM notifications n WHERE n.user_id = users.id AND n.read_at IS NULL)`,
    })
    .from(users)
    .leftJoin(enterprises, eq(enterprises.id, users.enterpriseId))
    .where(and(eq(users.id, sql.placeholder('id')), userIsUsable));

/** The signed-in user and the unread count of the header, in one query — prepared, as it runs on every request. */
export async function findPrincipalById(ex: Executor, id: number): Promise<Principal | undefined> {
  const row = (await runPrepared(ex, 'nqi_principal', principalQuery, { id }))[0];
  return row && asPrincipal(row);
}

/** The user id a session row carries (`passport.user`), as an int — NULL when absent or not a plain number. */
const sessionUserId = sql<number | null>`(CASE WHEN ${sessions.sess} #>> '{passport,user}' ~ '^[0-9]{1,9}$' THEN (${sessions.sess} #>> '{passport,user}')::int END)`;

const sessionWithPrincipalQuery = (ex: Executor) =>
  ex
    .select({
      sess: sessions.sess,
      ...principalColumns,
      usable: sql<boolean>`(${users.id} IS NOT NULL AND ${users.active} AND (${users.enterpriseId} IS NULL OR coalesce(${enterprises.active}, false)))`,
      unread: sql<number>`(SELECT count(*)::int FROM notifications n WHERE n.user_id = users.id AND n.read_at IS NULL)`,
      // the snapshot these were read in: a page kept in memory is kept under it (src/http/private-pages.ts)
      snapshot: sql<string>`pg_current_snapshot()::text`,
    })
    .from(sessions)
    .leftJoin(users, eq(users.id, sessionUserId))
    .leftJoin(enterprises, eq(enterprises.id, users.enterpriseId))
    .where(and(eq(sessions.sid, sql.placeholder('sid')), gt(sessions.expiresAt, sql`now()`)));

/**
 * A session and its signed-in user (with the header's unread count) in ONE round trip: the session store runs this
 * on every request with a session cookie. `principal` is null when the session carries no user or the user (or their
 * company) is no longer active — so a deactivation takes effect on the very next request, as with the separate read.
 */
export async function findSessionWithPrincipal(ex: Executor, sid: string): Promise<{ sess: unknown; principal: Principal | null; snapshot: string } | undefined> {
  const row = (await runPrepared(ex, 'nqi_session_principal', sessionWithPrincipalQuery, { sid }))[0];
  if (!row) return undefined;
  const { sess, usable, snapshot, ...user } = row;
  return { sess, snapshot, principal: usable && user.id !== null ? asPrincipal(user as Parameters<typeof asPrincipal>[0]) : null };
}

/** Login by mobile or e-mail. */
export async function findLoginCandidate(ex: Executor, identifier: string) {
  const rows = await ex
    .select({ ...principalColumns, passwordHash: users.passwordHash })
    .from(users)
    .leftJoin(enterprises, eq(enterprises.id, users.enterpriseId))
    .where(and(or(eq(users.mobile, identifier), eq(users.email, identifier.toLowerCase())), userIsUsable));
  return rows[0];
}

export async function findPasswordHash(ex: Executor, userId: number): Promise<string | undefined> {
  const rows = await ex.select({ h: users.passwordHash }).from(users).where(eq(users.id, userId));
  return rows[0]?.h;
}

export async function setPassword(ex: Executor, userId: number, passwordHash: string, mustChange = false): Promise<void> {
  await ex
    .update(users)
    .set({ passwordHash, mustChangePassword: mustChange, passwordChangedAt: sql`now()`, updatedAt: sql`now()` })
    .where(eq(users.id, userId));
}

export async function touchLastLogin(ex: Executor, userId: number): Promise<void> {
  await ex.update(users).set({ lastLoginAt: sql`now()` }).where(eq(users.id, userId));
}

export async function mobileTaken(ex: Executor, mobile: string): Promise<boolean> {
  return (await ex.$count(users, eq(users.mobile, mobile))) > 0;
}

export async function emailTaken(ex: Executor, email: string): Promise<boolean> {
  return (await ex.$count(users, eq(users.email, email))) > 0;
}

export interface NewUser {
  role: Principal['role'];
  name: string;
  mobile: string;
  email: string | null;
  passwordHash: string;
  enterpriseId?: number | null;
  nodeId?: number | null;
  parkId?: number | null;
  mustChangePassword?: boolean;
  /** 企业管理员 (the first user of a company, a claimant, or one made admin). */
  companyAdmin?: boolean;
}

export async function insertUser(ex: Executor, user: NewUser): Promise<number> {
  const [row] = await ex
    .insert(users)
    .values({
      role: user.role,
      name: user.name,
      mobile: user.mobile,
      email: user.email,
      passwordHash: user.passwordHash,
      enterpriseId: user.enterpriseId ?? null,
      nodeId: user.nodeId ?? null,
      parkId: user.parkId ?? null,
      mustChangePassword: user.mustChangePassword ?? false,
      companyAdmin: user.companyAdmin ?? false,
    })
    .returning({ id: users.id });
  return row!.id;
}
