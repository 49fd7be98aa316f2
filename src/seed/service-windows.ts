import { eq, inArray } from 'drizzle-orm';
import { replaceOwnWindows } from '../capacity/capacity.repo.js';
import type { Db } from '../db/client.js';
import { nodes, nodeServices, nodeServiceWindows, services } from '../db/schema.js';

/**
 * The oil lab's 7×24 sample reception (it serves the bunkering port, which works around the clock): a day and a
 * night window every day of the week, holidays included. Reference data, seeded once per offering: a window the
 * node manager has since changed stays as changed.
 */
const OIL_LAB = 'ZS-OILLAB';
const DAY_AND_NIGHT = [
  { code: '08:00-20:00', label: '白天收样', capacity: 12 },
  { code: '20:00-08:00', label: '夜间收样', capacity: 6 },
];

export async function seedServiceWindows(db: Db): Promise<void> {
  const offerings = await db
    .select({ id: nodeServices.id })
    .from(nodeServices)
    .innerJoin(nodes, eq(nodes.id, nodeServices.nodeId))
    .innerJoin(services, eq(services.id, nodeServices.serviceId))
    .where(eq(nodes.code, OIL_LAB));
  const ids = offerings.map((o) => o.id);
  if (ids.length === 0) return;
  const configured = new Set((await db.select({ id: nodeServiceWindows.nodeServiceId }).from(nodeServiceWindows).where(inArray(nodeServiceWindows.nodeServiceId, ids))).map((r) => r.id));
  for (const id of ids.filter((x) => !configured.has(x))) {
    const windows = [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) => DAY_AND_NIGHT.map((w) => ({ ...w, weekday, onHolidays: true })));
    await replaceOwnWindows(db, id, windows);
  }
}
