import { and, count, desc, eq, gte, ilike, lt, or, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { events, users } from '../db/schema.js';

export interface EventFilter {
  actorUserId?: number;
  actorQuery?: string;
  entityType?: string;
  entityId?: string;
  action?: string;
  from?: Date;
  to?: Date;
}

/** The audit log, newest first, with the actor's name; filters by actor, record, action and period. */
export async function listEvents(ex: Executor, f: EventFilter, page: { limit: number; offset: number }) {
  const c: SQL[] = [];
  if (f.actorUserId !== undefined) c.push(eq(events.actorUserId, f.actorUserId));
  if (f.actorQuery) c.push(or(ilike(users.name, `%${f.actorQuery.replace(/[\\%_]/g, (x) => '\\' + x)}%`), eq(users.mobile, f.actorQuery))!);
  if (f.entityType) c.push(eq(events.entityType, f.entityType));
  if (f.entityId) c.push(eq(events.entityId, f.entityId));
  if (f.action) c.push(eq(events.action, f.action));
  if (f.from) c.push(gte(events.at, f.from));
  if (f.to) c.push(lt(events.at, f.to));
  const where = c.length ? and(...c) : undefined;
  const [rows, [total]] = await Promise.all([
    ex
      .select({ event: events, actorName: users.name, actorRole: users.role })
      .from(events)
      .leftJoin(users, eq(users.id, events.actorUserId))
      .where(where)
      .orderBy(desc(events.at), desc(events.id))
      .limit(page.limit)
      .offset(page.offset),
    ex.select({ n: count() }).from(events).leftJoin(users, eq(users.id, events.actorUserId)).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}
