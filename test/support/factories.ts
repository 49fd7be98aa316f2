import { eq } from 'drizzle-orm';
import { hashPassword } from '../../src/auth/password.js';
import type { Role } from '../../src/auth/access.js';
import type { Db } from '../../src/db/client.js';
import { enterprises, nodes, parks, signatories, users } from '../../src/db/schema.js';
import { creditCodeCheckChar } from '../../src/enterprises/credit-code.js';

export const TEST_PASSWORD = 'Test-pass-2026';
let passwordHash: Promise<string> | undefined;
let sequence = 0;

/** A valid synthetic credit code, different on each call. */
export function validCreditCode(): string {
  sequence += 1;
  const body = `9133090${String(100000000 + sequence * 7919 + Math.floor(Math.random() * 1000)).slice(-9)}X`.slice(0, 17);
  return body + creditCodeCheckChar(body);
}

let mobileSeq = 0;
export function uniqueMobile(): string {
  mobileSeq += 1;
  return `137${String(Date.now() % 100000).padStart(5, '0')}${String(mobileSeq).padStart(3, '0')}`.slice(0, 11);
}

export async function parkId(db: Db, code: string): Promise<number> {
  const [row] = await db.select({ id: parks.id }).from(parks).where(eq(parks.code, code));
  if (!row) throw new Error(`no park ${code}`);
  return row.id;
}

export async function nodeId(db: Db, code: string): Promise<number> {
  const [row] = await db.select({ id: nodes.id }).from(nodes).where(eq(nodes.code, code));
  if (!row) throw new Error(`no node ${code}`);
  return row.id;
}

export interface TestUser {
  id: number;
  mobile: string;
  password: string;
  role: Role;
  enterpriseId: number | null;
  nodeId: number | null;
  parkId: number | null;
  name: string;
}

export async function createEnterprise(db: Db, opts: { name?: string; parkCode?: string | null } = {}): Promise<{ id: number; parkId: number | null; name: string }> {
  const park = opts.parkCode === null ? null : await parkId(db, opts.parkCode ?? 'P-DINGHAI');
  const name = opts.name ?? `测试企业${Math.floor(Math.random() * 1e6)}有限公司`;
  const [row] = await db
    .insert(enterprises)
    .values({ name, creditCode: validCreditCode(), parkId: park, address: '舟山市定海区测试路 1 号' })
    .returning({ id: enterprises.id });
  return { id: row!.id, parkId: park, name };
}

export async function createUser(
  db: Db,
  role: Role,
  scope: { enterpriseId?: number; nodeCode?: string; parkCode?: string } = {},
  opts: { name?: string; active?: boolean } = {},
): Promise<TestUser> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const mobile = uniqueMobile();
  const nodeIdValue = scope.nodeCode ? await nodeId(db, scope.nodeCode) : null;
  const parkIdValue = scope.parkCode ? await parkId(db, scope.parkCode) : null;
  const name = opts.name ?? `测试${role}${mobile.slice(-4)}`;
  const [row] = await db
    .insert(users)
    .values({
      role,
      name,
      mobile,
      email: null,
      passwordHash: await passwordHash,
      enterpriseId: scope.enterpriseId ?? null,
      nodeId: nodeIdValue,
      parkId: parkIdValue,
      active: opts.active ?? true,
    })
    .returning({ id: users.id });
  return { id: row!.id, mobile, password: TEST_PASSWORD, role, enterpriseId: scope.enterpriseId ?? null, nodeId: nodeIdValue, parkId: parkIdValue, name };
}

/** A company in a park with one enterprise user. */
/** A company and its first user, who is — as at registration — the company's admin (企业管理员). */
export async function createCompanyUser(db: Db, opts: { parkCode?: string | null; name?: string } = {}) {
  const enterprise = await createEnterprise(db, opts);
  const user = await createUser(db, 'enterprise', { enterpriseId: enterprise.id });
  await db.update(users).set({ companyAdmin: true }).where(eq(users.id, user.id));
  return { enterprise, user: { ...user, companyAdmin: true } };
}

/** Makes a staff member an authorised signatory (授权签字人) of their node, for every category or one, from 2020 on. */
export async function grantSignatory(db: Db, user: Pick<TestUser, 'id' | 'nodeId'>, opts: { categoryCode?: string; validFrom?: string; validUntil?: string } = {}): Promise<void> {
  if (user.nodeId === null) throw new Error('a signatory belongs to a node');
  await db.insert(signatories).values({ nodeId: user.nodeId, userId: user.id, categoryCode: opts.categoryCode ?? null, validFrom: opts.validFrom ?? '2020-01-01', validUntil: opts.validUntil ?? null });
}

/** A node's three people for a report: tester, verifier and an authorised signatory who approves. */
export async function createSigningTeam(db: Db, nodeCode: string, names: [string, string, string] = ['检测员', '审核员', '签字人']) {
  const tester = await createUser(db, 'lab_staff', { nodeCode }, { name: names[0] });
  const verifier = await createUser(db, 'lab_staff', { nodeCode }, { name: names[1] });
  const approver = await createUser(db, 'node_manager', { nodeCode }, { name: names[2] });
  await grantSignatory(db, approver);
  return { tester, verifier, approver };
}
