import { asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { enterprises, parks, users } from '../db/schema.js';

export async function creditCodeTaken(ex: Executor, creditCode: string): Promise<boolean> {
  return (await ex.$count(enterprises, eq(enterprises.creditCode, creditCode))) > 0;
}

export async function insertEnterprise(
  ex: Executor,
  e: { name: string; creditCode: string; parkId: number | null; address: string; needsReview: boolean },
): Promise<number> {
  const [row] = await ex
    .insert(enterprises)
    .values({
      name: e.name,
      creditCode: e.creditCode,
      parkId: e.parkId,
      address: e.address,
      creditCodeReview: e.needsReview ? 'pending' : 'none',
    })
    .returning({ id: enterprises.id });
  return row!.id;
}

export async function findEnterpriseById(ex: Executor, id: number) {
  const rows = await ex
    .select({
      id: enterprises.id,
      name: enterprises.name,
      creditCode: enterprises.creditCode,
      creditCodeReview: enterprises.creditCodeReview,
      parkId: enterprises.parkId,
      parkName: parks.name,
      address: enterprises.address,
      invoiceTitle: enterprises.invoiceTitle,
      invoiceTaxNo: enterprises.invoiceTaxNo,
      invoiceAddressPhone: enterprises.invoiceAddressPhone,
      invoiceBankAccount: enterprises.invoiceBankAccount,
      active: enterprises.active,
      createdAt: enterprises.createdAt,
    })
    .from(enterprises)
    .leftJoin(parks, eq(parks.id, enterprises.parkId))
    .where(eq(enterprises.id, id));
  return rows[0];
}

export async function listEnterpriseUsers(ex: Executor, enterpriseId: number) {
  return ex
    .select({ id: users.id, name: users.name, mobile: users.mobile, email: users.email, active: users.active, lastLoginAt: users.lastLoginAt })
    .from(users)
    .where(eq(users.enterpriseId, enterpriseId))
    .orderBy(asc(users.id));
}

/** 开票信息 of a company. */
export async function updateInvoiceInfo(ex: Executor, id: number, info: { invoiceTitle: string; invoiceTaxNo: string; invoiceAddressPhone: string; invoiceBankAccount: string }): Promise<void> {
  await ex.update(enterprises).set({ ...info, updatedAt: sql`now()` }).where(eq(enterprises.id, id));
}
