import { and, eq } from 'drizzle-orm';
import type { Principal } from '../../src/auth/access.js';
import type { Db } from '../../src/db/client.js';
import { measurementStandards, nodes } from '../../src/db/schema.js';
import type { Agent, TestApp } from './app.js';
import { nodeServiceOf } from './bookings.js';

/** Books through the service layer (the HTTP form is covered by the booking tests). */
export async function bookCalibration(t: TestApp, enterpriseUserId: number, opts: { nodeCode?: string; slot?: string; serials?: string[]; deliveryMode?: string } = {}) {
  const ns = await nodeServiceOf(t.db, opts.nodeCode ?? 'ZS-METROLOGY', 'CAL-PG');
  const user = (await t.services.auth.loadPrincipal(enterpriseUserId)) as Principal;
  const serials = opts.serials ?? ['PG-001', 'PG-002'];
  const { number } = await t.services.bookings.submit(
    user,
    {
      service: 'CAL-PG',
      node: String(ns.nodeId),
      idempotencyKey: `lab-test-${Math.random().toString(36).slice(2)}-${Date.now()}`,
      slot: opts.slot ?? '2026-09-29|am',
      deliveryMode: opts.deliveryMode ?? 'send_in',
      onsiteAddress: opts.deliveryMode === 'on_site' ? '舟山市定海区白泉镇工业园区船厂路 18 号' : '',
      items: serials.map((s) => ({ name: '一般压力表', serialNo: s, quantity: '1', range: '0-1.6 MPa', accuracyClass: '1.6' })),
      contactName: '张伟',
      contactMobile: '13900000101',
    },
    [],
  );
  return number;
}

export async function bookOilTest(t: TestApp, enterpriseUserId: number, opts: { packageCode?: string; items?: string[]; slot?: string; gradeCode?: string; gradeVariant?: string; sulphurRequirement?: string } = {}) {
  const ns = await nodeServiceOf(t.db, 'ZS-OILLAB', 'YP-ISO8217');
  const user = (await t.services.auth.loadPrincipal(enterpriseUserId)) as Principal;
  const { number } = await t.services.bookings.submit(
    user,
    {
      service: 'YP-ISO8217',
      node: String(ns.nodeId),
      idempotencyKey: `oil-test-${Math.random().toString(36).slice(2)}-${Date.now()}`,
      slot: opts.slot ?? '2026-09-29|am',
      sampleName: 'VLSFO 低硫燃料油',
      gradeCode: opts.gradeCode ?? 'ISO8217-RMG380',
      gradeVariant: opts.gradeVariant ?? '',
      sulphurRequirement: opts.sulphurRequirement ?? 'global',
      specEdition: 'ISO 8217:2017',
      sourceType: 'barge',
      sourceName: '舟港油 18',
      samplingDate: '2026-09-27',
      quantity: '1',
      sealNo: 'ZS-0009876',
      testMode: opts.items ? 'items' : 'package',
      packageCode: opts.packageCode ?? (opts.items ? '' : 'PKG-RM-FULL'),
      testItems: opts.items ?? [],
      contactName: '黄海',
      contactMobile: '13900000301',
    },
    [],
  );
  return number;
}

/** Posts a workbench action with the CSRF token of the workbench page (as the page's form does). */
export async function labAction(agent: Agent, number: string, action: string, fields: Record<string, string | string[]> = {}) {
  const page = await agent.get(`/lab/bookings/${number}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return agent
    .post(`/lab/bookings/${number}/${action}`)
    .type('form')
    .send({ _csrf: csrf, ...fields });
}

export async function enterpriseAction(agent: Agent, number: string, action: string, fields: Record<string, string> = {}) {
  const page = await agent.get(`/bookings/${number}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return agent
    .post(`/bookings/${number}/${action}`)
    .type('form')
    .send({ _csrf: csrf, ...fields });
}

/**
 * A measurement standard of a node for an instrument category (tests start without the demo's): the results of a
 * calibration name one. Made once per node and category; returns its id.
 */
export async function standardFor(db: Db, nodeCodeOrId: string | number, categoryCode = 'CAL-PG'): Promise<number> {
  const [node] = await db.select({ id: nodes.id }).from(nodes).where(typeof nodeCodeOrId === 'number' ? eq(nodes.id, nodeCodeOrId) : eq(nodes.code, nodeCodeOrId));
  const name = `测试用计量标准（${categoryCode}）`;
  const [found] = await db.select({ id: measurementStandards.id }).from(measurementStandards).where(and(eq(measurementStandards.nodeId, node!.id), eq(measurementStandards.name, name)));
  if (found) return found.id;
  const [made] = await db.insert(measurementStandards).values({ nodeId: node!.id, name, certificateNo: `［2024］浙量标舟证字第 9${categoryCode.length}${node!.id} 号`, measuringRange: '(0～60) MPa', accuracy: '0.05 级', validUntil: '2030-12-31', categoryCodes: [categoryCode] }).returning({ id: measurementStandards.id });
  return made!.id;
}

/** The place and environment of a calibration's results, as a lab records them (JSON), and as the form posts them. */
export const CONDITIONS = { place: '市计量院实验室', temperature: '20.3', humidity: '55' } as const;
export const CONDITION_FIELDS: Record<string, string> = Object.fromEntries(Object.entries(CONDITIONS).map(([k, v]) => [`conditions[${k}]`, v]));
