import { insertRows } from '../db/bulk-insert.js';
import type { Executor } from '../db/client.js';
import { events } from '../db/schema.js';

/* The event writer: the one way anything is added to the append-only timeline / audit log (`events`). It sits on the
   database floor so every feature can record in its own transaction; reading the log is the audit feature's job. */

export interface NewEvent {
  actorUserId: number | null;
  entityType: string;
  entityId: string | number;
  action: string;
  fromState?: string | null;
  toState?: string | null;
  note?: string | null;
  /** Before/after values of a management change, or details of a transition. */
  data?: Record<string, unknown> | null;
}

const rowOf = (event: NewEvent) => ({
  actorUserId: event.actorUserId,
  entityType: event.entityType,
  entityId: String(event.entityId),
  action: event.action,
  fromState: event.fromState ?? null,
  toState: event.toState ?? null,
  note: event.note ?? null,
  data: event.data ?? null,
});

/** Appends one event. Callers pass their open transaction so the change and its event commit together. */
export async function recordEvent(ex: Executor, event: NewEvent): Promise<void> {
  await ex.insert(events).values(rowOf(event));
}

/** Appends many events, a thousand per statement (a bulk change such as an import of thousands of entries). */
export async function recordEvents(ex: Executor, list: NewEvent[]): Promise<void> {
  await insertRows(ex, events, list.map(rowOf));
}
