import { eq, inArray } from 'drizzle-orm';
import type { Principal } from '../../src/auth/access.js';
import { bookings, chainRequests, chainSteps } from '../../src/db/schema.js';
import type { TestApp } from './app.js';

let turn = 0;

/**
 * The form of an EXPORT-CERT request (对标 → 电子天平 → ISO 9001 after both) on the earliest windows the plan shows,
 * the last step left 待前序完成. `pick` spreads successive requests over the windows.
 */
export async function exportCertForm(t: TestApp, userId: number, opts: { avoidNodes?: number[] } = {}, pick = turn++): Promise<Record<string, string>> {
  const avoid = new Set(opts.avoidNodes ?? []);
  const user = (await t.services.auth.loadPrincipal(userId)) as Principal;
  const plan = await t.services.chains.plan(user, 'EXPORT-CERT');
  const [s1, s2, s3] = plan.steps as [typeof plan.steps[number], typeof plan.steps[number], typeof plan.steps[number]];
  const n1 = s1.nodes.find((n) => n.windows.length > 0 && !avoid.has(n.id))!;
  const n2 = s2.nodes.find((n) => n.windows.length > 0 && !avoid.has(n.id))!;
  return {
    bundle: 'EXPORT-CERT',
    idempotencyKey: `chain-form-${process.pid}-${Date.now()}-${pick}`.slice(0, 40),
    contactName: '张伟',
    contactMobile: '13900000101',
    description: '出口产品需要对标欧盟标准并准备质量管理体系认证。',
    s1_node: String(n1.id),
    s1_slot: n1.windows[pick % n1.windows.length]!.value,
    s2_node: String(n2.id),
    s2_slot: n2.windows[pick % n2.windows.length]!.value,
    s2_instrumentName: '电子天平',
    s2_serialNo: `EB-${pick}`,
    s2_quantity: '1',
    s3_node: String(s3.nodes.find((n) => !avoid.has(n.id))!.id),
    s3_slot: 'later',
  };
}

/** Files an EXPORT-CERT request for the user; returns its number. */
export async function fileExportCert(t: TestApp, userId: number, opts: { avoidNodes?: number[] } = {}): Promise<string> {
  const user = (await t.services.auth.loadPrincipal(userId)) as Principal;
  return (await t.services.chains.file(user, await exportCertForm(t, userId, opts))).number;
}

/** Every step of a chain booked and completed at once (a finished request to rate). */
export async function finishChain(t: TestApp, number: string): Promise<void> {
  const [chain] = await t.db.select().from(chainRequests).where(eq(chainRequests.number, number));
  const steps = await t.db.select().from(chainSteps).where(eq(chainSteps.chainId, chain!.id));
  const ids = steps.map((s) => s.bookingId).filter((id): id is number => id !== null);
  if (ids.length) await t.db.update(bookings).set({ status: 'completed', closedAt: new Date() }).where(inArray(bookings.id, ids));
  await t.db.update(chainRequests).set({ status: 'completed', closedAt: new Date() }).where(eq(chainRequests.id, chain!.id));
}

export async function stepsOfChain(t: TestApp, number: string) {
  const [chain] = await t.db.select().from(chainRequests).where(eq(chainRequests.number, number));
  return t.db.select().from(chainSteps).where(eq(chainSteps.chainId, chain!.id)).orderBy(chainSteps.position);
}
