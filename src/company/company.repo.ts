import { and, asc, count, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { accountTokens, invitations, joinRequests, users } from '../db/schema.js';

/* The company workspace's queries: colleagues, invitations, join requests, one-time tokens. */

export async function listColleagues(ex: Executor, enterpriseId: number) {
  return ex
    .select({ id: users.id, name: users.name, mobile: users.mobile, email: users.email, active: users.active, companyAdmin: users.companyAdmin, lastLoginAt: users.lastLoginAt })
    .from(users)
    .where(eq(users.enterpriseId, enterpriseId))
    .orderBy(desc(users.companyAdmin), asc(users.id));
}

export async function findColleague(ex: Executor, enterpriseId: number, userId: number) {
  const [row] = await ex
    .select({ id: users.id, name: users.name, mobile: users.mobile, active: users.active, companyAdmin: users.companyAdmin })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.enterpriseId, enterpriseId)));
  return row;
}

/** Serialises admin changes of one company (two admins demoting each other at once cannot leave it with none). */
export async function lockCompany(ex: Executor, enterpriseId: number): Promise<void> {
  await ex.execute(sql`SELECT id FROM enterprises WHERE id = ${enterpriseId} FOR UPDATE`);
}

export async function countActiveAdmins(ex: Executor, enterpriseId: number): Promise<number> {
  return ex.$count(users, and(eq(users.enterpriseId, enterpriseId), eq(users.active, true), eq(users.companyAdmin, true)));
}

export async function countUsers(ex: Executor, enterpriseId: number): Promise<number> {
  return ex.$count(users, eq(users.enterpriseId, enterpriseId));
}

export async function adminIds(ex: Executor, enterpriseId: number): Promise<number[]> {
  const rows = await ex
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.enterpriseId, enterpriseId), eq(users.active, true), eq(users.companyAdmin, true)));
  return rows.map((r) => r.id);
}

export async function updateColleague(ex: Executor, userId: number, set: { active?: boolean; companyAdmin?: boolean }): Promise<void> {
  await ex.update(users).set({ ...set, updatedAt: sql`now()` }).where(eq(users.id, userId));
}

// ── invitations ──

export async function insertInvitation(ex: Executor, v: typeof invitations.$inferInsert): Promise<number> {
  const [row] = await ex.insert(invitations).values(v).returning({ id: invitations.id });
  return row!.id;
}

export async function listOpenInvitations(ex: Executor, enterpriseId: number, now: Date) {
  return ex
    .select({ id: invitations.id, mobile: invitations.mobile, email: invitations.email, expiresAt: invitations.expiresAt, createdAt: invitations.createdAt, invitedBy: users.name })
    .from(invitations)
    .innerJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.enterpriseId, enterpriseId), isNull(invitations.usedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)))
    .orderBy(desc(invitations.id));
}

/** An invitation that can still be accepted, by the hash of its token (locked when `forUpdate`). */
export async function findUsableInvitation(ex: Executor, tokenHash: string, now: Date, forUpdate = false) {
  const q = ex
    .select()
    .from(invitations)
    .where(and(eq(invitations.tokenHash, tokenHash), isNull(invitations.usedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)));
  const [row] = forUpdate ? await q.for('update') : await q;
  return row;
}

export async function markInvitationUsed(ex: Executor, id: number, userId: number, now: Date): Promise<void> {
  await ex.update(invitations).set({ usedAt: now, userId }).where(eq(invitations.id, id));
}

export async function revokeInvitation(ex: Executor, enterpriseId: number, id: number, now: Date): Promise<boolean> {
  const rows = await ex
    .update(invitations)
    .set({ revokedAt: now })
    .where(and(eq(invitations.id, id), eq(invitations.enterpriseId, enterpriseId), isNull(invitations.usedAt), isNull(invitations.revokedAt)))
    .returning({ id: invitations.id });
  return rows.length > 0;
}

// ── join requests ──

export async function insertJoinRequest(ex: Executor, v: typeof joinRequests.$inferInsert): Promise<number> {
  const [row] = await ex.insert(joinRequests).values(v).returning({ id: joinRequests.id });
  return row!.id;
}

export async function listPendingJoinRequests(ex: Executor, enterpriseId: number) {
  return ex
    .select({ id: joinRequests.id, name: joinRequests.name, mobile: joinRequests.mobile, email: joinRequests.email, createdAt: joinRequests.createdAt })
    .from(joinRequests)
    .where(and(eq(joinRequests.enterpriseId, enterpriseId), eq(joinRequests.status, 'pending')))
    .orderBy(asc(joinRequests.id));
}

export async function findPendingJoinRequest(ex: Executor, enterpriseId: number, id: number) {
  const [row] = await ex
    .select()
    .from(joinRequests)
    .where(and(eq(joinRequests.id, id), eq(joinRequests.enterpriseId, enterpriseId), eq(joinRequests.status, 'pending')))
    .for('update');
  return row;
}

export async function decideJoinRequest(ex: Executor, id: number, d: { status: 'approved' | 'refused'; decidedBy: number; userId: number | null; now: Date }): Promise<void> {
  // A refused applicant's password hash is not kept.
  await ex
    .update(joinRequests)
    .set({ status: d.status, decidedBy: d.decidedBy, decidedAt: d.now, userId: d.userId, ...(d.status === 'refused' ? { passwordHash: '' } : {}) })
    .where(eq(joinRequests.id, id));
}

export async function pendingJoinRequestCount(ex: Executor, enterpriseId: number): Promise<number> {
  const [row] = await ex.select({ n: count() }).from(joinRequests).where(and(eq(joinRequests.enterpriseId, enterpriseId), eq(joinRequests.status, 'pending')));
  return row?.n ?? 0;
}

// ── one-time tokens (reset links, claim codes) ──

export async function insertAccountToken(ex: Executor, v: typeof accountTokens.$inferInsert): Promise<void> {
  await ex.insert(accountTokens).values(v);
}

export async function findUsableToken(ex: Executor, purpose: 'reset' | 'claim', tokenHash: string, now: Date, forUpdate = false) {
  const q = ex
    .select()
    .from(accountTokens)
    .where(and(eq(accountTokens.purpose, purpose), eq(accountTokens.tokenHash, tokenHash), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, now)));
  const [row] = forUpdate ? await q.for('update') : await q;
  return row;
}

export async function markTokenUsed(ex: Executor, id: number, now: Date): Promise<void> {
  await ex.update(accountTokens).set({ usedAt: now }).where(eq(accountTokens.id, id));
}

/** A newer code replaces the older ones of the same company (or the newer reset link the older ones of the user). */
export async function expireTokens(ex: Executor, purpose: 'reset' | 'claim', target: { userId?: number; enterpriseId?: number }, now: Date): Promise<void> {
  const where = target.userId !== undefined ? eq(accountTokens.userId, target.userId) : eq(accountTokens.enterpriseId, target.enterpriseId ?? -1);
  await ex.update(accountTokens).set({ expiresAt: now }).where(and(eq(accountTokens.purpose, purpose), where, isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, now)));
}

export async function findUserByEmail(ex: Executor, email: string) {
  const [row] = await ex.select({ id: users.id, name: users.name, email: users.email, active: users.active }).from(users).where(eq(users.email, email.toLowerCase()));
  return row;
}
