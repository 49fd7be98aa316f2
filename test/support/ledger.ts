import type { Test } from 'supertest';
import { instruments } from '../../src/db/schema.js';
import { serialKey } from '../../src/ledger/rules.js';
import type { Agent, TestApp } from './app.js';

/** A ledger entry written directly (fixtures for lists, reminders, compliance); the HTTP form is tested on its own. */
export async function addInstrument(t: TestApp, enterpriseId: number, o: Partial<typeof instruments.$inferInsert> = {}) {
  const serialNo = o.serialNo ?? `SN-${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
  const [row] = await t.db
    .insert(instruments)
    .values({ enterpriseId, categoryCode: 'CAL-PG', name: '一般压力表', serialNo, serialKey: serialKey(serialNo), status: 'in_use', ...o })
    .returning();
  return row!;
}

/** The CSRF token of a page's form. */
export async function csrfOf(agent: Agent, path: string): Promise<string> {
  const res = await agent.get(path);
  const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
  if (!token) throw new Error(`no form on ${path} (${res.status})`);
  return token;
}

/** A valid entry form, with overrides. */
export function entryForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    name: '一般压力表',
    categoryCode: 'CAL-PG',
    model: 'Y-100',
    serialNo: 'PG-2024-001',
    manufacturer: '上海自动化仪表四厂',
    measuringRange: '0-1.6 MPa',
    accuracyClass: '1.6',
    department: '船坞车间',
    location: '2 号船坞氧气站',
    compulsory: 'yes',
    compulsoryUse: 'safety',
    regime: 'periodic',
    periodMonths: '',
    status: 'in_use',
    lastCalibrationDate: '2026-04-10',
    certificateNo: 'JD2026-000123',
    conclusion: 'pass',
    nextDueDate: '',
    ...overrides,
  };
}

type Parser = Extract<Parameters<Test['parse']>[0], (res: never, cb: never) => void>;

/** A supertest parser that keeps the response body as bytes (downloads). */
export const binary: Parser = (res, cb) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
};
