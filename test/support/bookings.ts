import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { nodes, nodeServices, services } from '../../src/db/schema.js';
import type { Agent } from './app.js';

/** Monday 2026-09-28, 09:00 in Zhoushan: the morning window has started; National Day (10-01…10-07) is ahead,
 *  with Saturday 10-10 a make-up workday (调休). */
export const MONDAY_BEFORE_NATIONAL_DAY = '2026-09-28T09:00:00+08:00';

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex')]);
export const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);

export async function nodeServiceOf(db: Db, nodeCode: string, serviceCode: string) {
  const [row] = await db
    .select({ ns: nodeServices, nodeId: nodes.id, serviceId: services.id })
    .from(nodeServices)
    .innerJoin(nodes, eq(nodes.id, nodeServices.nodeId))
    .innerJoin(services, eq(services.id, nodeServices.serviceId))
    .where(and(eq(nodes.code, nodeCode), eq(services.code, serviceCode)));
  if (!row) throw new Error(`${nodeCode} does not offer ${serviceCode}`);
  return row;
}

export async function setCapacity(db: Db, nodeServiceId: number, perWindow: number): Promise<void> {
  await db.update(nodeServices).set({ capacityAm: perWindow, capacityPm: perWindow, slotCapacity: perWindow }).where(eq(nodeServices.id, nodeServiceId));
}

export interface FormPage {
  status: number;
  text: string;
  csrf: string;
  key: string;
  /** Radio values of bookable windows, in page order. */
  slots: string[];
}

export async function openBookingForm(agent: Agent, service: string, nodeId: number): Promise<FormPage> {
  const res = await agent.get(`/bookings/new?service=${service}&node=${nodeId}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
  const key = /name="idempotencyKey" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
  const slots = [...res.text.matchAll(/name="slot" id="[^"]+" value="([^"]+)"/g)].map((m) => m[1]!);
  return { status: res.status, text: res.text, csrf, key, slots };
}

export type Fields = Record<string, string | string[] | undefined>;
export interface FileToSend {
  field: string;
  buffer: Buffer;
  name: string;
}

export function postMultipart(agent: Agent, url: string, fields: Fields, files: FileToSend[] = []) {
  let req = agent.post(url);
  // The CSRF token first, as the real form has it.
  const ordered = Object.entries(fields).sort(([a], [b]) => (a === '_csrf' ? -1 : b === '_csrf' ? 1 : 0));
  for (const [name, value] of ordered) {
    if (value === undefined) continue;
    for (const v of [value].flat()) req = req.field(name, v);
  }
  // form-data keeps only the base name of `filename`; a name with a path (a crafted request) goes as `filepath`
  for (const f of files) req = req.attach(f.field, f.buffer, /[\\/]/.test(f.name) ? ({ filepath: f.name } as unknown as { filename: string }) : f.name);
  return req;
}

export function calibrationFields(page: FormPage, nodeId: number, overrides: Fields = {}): Fields {
  return {
    _csrf: page.csrf,
    intent: 'submit',
    service: 'CAL-PG',
    node: String(nodeId),
    idempotencyKey: page.key,
    slot: page.slots[0],
    deliveryMode: 'send_in',
    onsiteAddress: '',
    'items[0][name]': '一般压力表',
    'items[0][model]': 'Y-100',
    'items[0][serialNo]': 'PG-2024-001',
    'items[0][range]': '0-1.6 MPa',
    'items[0][accuracyClass]': '1.6',
    'items[0][quantity]': '1',
    'items[0][compulsory]': 'on',
    'items[0][intendedUse]': '安全防护',
    'items[1][name]': '一般压力表',
    'items[1][model]': 'Y-60',
    'items[1][serialNo]': 'PG-2024-002',
    'items[1][range]': '0-2.5 MPa',
    'items[1][accuracyClass]': '2.5',
    'items[1][quantity]': '1',
    'items[1][intendedUse]': '工艺监控',
    contactName: '张伟',
    contactMobile: '13900000101',
    remarks: '',
    ...overrides,
  };
}

export function oilFields(page: FormPage, nodeId: number, overrides: Fields = {}): Fields {
  return {
    _csrf: page.csrf,
    intent: 'submit',
    service: 'YP-ISO8217',
    node: String(nodeId),
    idempotencyKey: page.key,
    slot: page.slots[0],
    sampleName: '低硫燃料油 VLSFO',
    gradeCode: 'ISO8217-RMG380',
    specEdition: 'ISO 8217:2017',
    sulphurRequirement: 'global',
    bdnNo: 'BDN-20260927-018',
    sourceType: 'barge',
    sourceName: '舟港油 18',
    samplingDate: '2026-09-27',
    quantity: '2',
    sealNo: 'ZS-0001234',
    testMode: 'package',
    packageCode: 'PKG-RM-FULL',
    contactName: '黄海',
    contactMobile: '13900000301',
    ...overrides,
  };
}

/** Every file below a folder (the upload folder must stay empty after refused uploads). */
export function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
  } catch {
    return [];
  }
}
