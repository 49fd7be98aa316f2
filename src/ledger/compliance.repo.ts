import { and, asc, eq, sql } from 'drizzle-orm';
import { rowsOf, type Executor } from '../db/client.js';
import { enterprises, instrumentCategories, instruments, parks } from '../db/schema.js';
import { addDays } from '../shared/time.js';

export interface CompanyCompliance {
  id: number;
  name: string;
  parkId: number | null;
  total: number;
  due30: number;
  overdue: number;
  failed: number;
  noDue: number;
}

/**
 * 强检 figures per company: in-use compulsory instruments, due within 30 days, overdue, failed (不合格) still in use,
 * without a due date. Aggregated first over the partial covering index (compulsory, in use), then joined to the
 * companies — of one park, or the whole city.
 */
export async function companyCompliance(ex: Executor, today: string, parkId?: number): Promise<CompanyCompliance[]> {
  const inPark = parkId === undefined ? sql`` : sql`AND i.enterprise_id IN (SELECT id FROM enterprises WHERE park_id = ${parkId})`;
  const result = await ex.execute(sql`
    WITH agg AS (
      SELECT i.enterprise_id,
             count(*)::int AS total,
             count(*) FILTER (WHERE i.next_due_date BETWEEN ${today}::date AND ${addDays(today, 30)}::date)::int AS due30,
             count(*) FILTER (WHERE i.next_due_date < ${today}::date)::int AS overdue,
             count(*) FILTER (WHERE i.conclusion = 'fail')::int AS failed,
             count(*) FILTER (WHERE i.next_due_date IS NULL)::int AS no_due
      FROM instruments i
      WHERE i.compulsory AND i.status = 'in_use' ${inPark}
      GROUP BY i.enterprise_id)
    SELECT e.id, e.name, e.park_id AS "parkId", a.total, a.due30, a.overdue, a.failed, a.no_due AS "noDue"
    FROM agg a JOIN enterprises e ON e.id = a.enterprise_id`);
  return rowsOf<CompanyCompliance>(result);
}

/** Companies per park (active ones), to say how many have not registered any 强检 instrument. */
export async function companiesPerPark(ex: Executor) {
  const rows = await ex
    .select({ parkId: enterprises.parkId, n: sql<number>`count(*)::int` })
    .from(enterprises)
    .where(eq(enterprises.active, true))
    .groupBy(enterprises.parkId);
  return rows;
}

export async function parkList(ex: Executor) {
  return ex.select({ id: parks.id, name: parks.name }).from(parks).orderBy(asc(parks.id));
}

/** One company's in-use 强检 instruments, most urgent first. */
export async function compulsoryInstrumentsOf(ex: Executor, enterpriseId: number) {
  return ex
    .select({
      id: instruments.id,
      name: instruments.name,
      categoryName: instrumentCategories.name,
      serialNo: instruments.serialNo,
      department: instruments.department,
      location: instruments.location,
      compulsoryUse: instruments.compulsoryUse,
      regime: instruments.regime,
      lastCalibrationDate: instruments.lastCalibrationDate,
      certificateNo: instruments.certificateNo,
      conclusion: instruments.conclusion,
      nextDueDate: instruments.nextDueDate,
      status: instruments.status,
    })
    .from(instruments)
    .innerJoin(instrumentCategories, eq(instrumentCategories.code, instruments.categoryCode))
    .where(and(eq(instruments.enterpriseId, enterpriseId), eq(instruments.compulsory, true), eq(instruments.status, 'in_use')))
    .orderBy(sql`${instruments.nextDueDate} ASC NULLS FIRST`, asc(instruments.id))
    .limit(5000);
}

export async function companyOf(ex: Executor, id: number) {
  const rows = await ex.select({ id: enterprises.id, name: enterprises.name, parkId: enterprises.parkId, parkName: parks.name, address: enterprises.address }).from(enterprises).leftJoin(parks, eq(parks.id, enterprises.parkId)).where(eq(enterprises.id, id));
  return rows[0];
}
