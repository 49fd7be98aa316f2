import { inArray } from 'drizzle-orm';
import { itemsOf, type BookingView } from '../bookings/bookings.repo.js';
import type { Executor } from '../db/client.js';
import { users } from '../db/schema.js';
import { resultsOf } from '../lab/lab.repo.js';
import type { Signers } from './signing.js';

/** Everything a report prints, frozen into the report row at issue time: later changes of anything never alter it. */
export interface ReportContent {
  title: string;
  booking: {
    number: string;
    kind: string;
    serviceCode: string;
    serviceName: string;
    categoryName: string;
    nodeName: string;
    nodeAddress: string;
    nodePhone: string;
    enterpriseName: string;
    creditCode: string;
    date: string;
    window: string;
    receivedAt: string | null;
  };
  items: Record<string, unknown>[];
  results: Record<string, unknown>[];
  itemNames: Record<string, string>;
  conclusion: string;
  remark: string | null;
  /** The three people who tested, verified and approved this version — its own, never copied from another version. */
  signers: { tester: string | null; verifier: string | null; approver: string };
  issuedAt: string;
  /** For a revision: the version it replaces and why. */
  revision?: { replacesVersion: number; reason: string };
}

const TITLES: Record<string, string> = { calibration: '检定 / 校准证书', oil_test: '检测报告', consultation: '咨询服务记录' };

async function namesOf(ex: Executor, ids: (number | null)[]): Promise<Map<number, string>> {
  const wanted = ids.filter((x): x is number => x !== null);
  if (!wanted.length) return new Map();
  const rows = await ex.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, wanted));
  return new Map(rows.map((r) => [r.id, r.name]));
}

export interface ContentInput {
  booking: BookingView;
  /** The report version whose results are printed. */
  version: number;
  signers: Signers;
  conclusion: string;
  remark: string | null;
  receivedAt: Date | null;
  itemNames: Record<string, string>;
  now: Date;
  revision?: ReportContent['revision'];
}

/** Reads the version's lines and the signers' names (sequentially: inside a transaction there is one connection). */
export async function buildContent(ex: Executor, input: ContentInput): Promise<ReportContent> {
  const { booking, signers } = input;
  const items = await itemsOf(ex, booking.id);
  const results = await resultsOf(ex, booking.id, input.version);
  const names = await namesOf(ex, [signers.testerId, signers.verifierId, signers.approverId]);
  return {
    title: TITLES[booking.kind] ?? '报告',
    booking: {
      number: booking.number,
      kind: booking.kind,
      serviceCode: booking.serviceCode,
      serviceName: booking.serviceName,
      categoryName: booking.categoryName,
      nodeName: booking.nodeName,
      nodeAddress: booking.nodeAddress,
      nodePhone: booking.nodePhone,
      enterpriseName: booking.enterpriseName,
      creditCode: booking.enterpriseCreditCode,
      date: booking.date,
      window: booking.window,
      receivedAt: input.receivedAt ? input.receivedAt.toISOString() : null,
    },
    items: items as unknown as Record<string, unknown>[],
    results: results as unknown as Record<string, unknown>[],
    itemNames: input.itemNames,
    conclusion: input.conclusion,
    remark: input.remark,
    signers: {
      tester: signers.testerId !== null ? (names.get(signers.testerId) ?? null) : null,
      verifier: signers.verifierId !== null ? (names.get(signers.verifierId) ?? null) : null,
      approver: names.get(signers.approverId) ?? '',
    },
    issuedAt: input.now.toISOString(),
    ...(input.revision ? { revision: input.revision } : {}),
  };
}
