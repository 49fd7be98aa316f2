import { eq, inArray } from 'drizzle-orm';
import { itemsOf, type BookingView } from '../bookings/bookings.repo.js';
import type { Executor } from '../db/client.js';
import { services, users } from '../db/schema.js';
import { limitsOf, oilItemsByCodes, resultsOf } from '../lab/lab.repo.js';
import { isSulphurRequirement, pickRow, SULPHUR_REQUIREMENTS, type LimitRow } from '../lab/limits.js';
import type { Signers } from './signing.js';

/** One line of an oil report as printed: item, method, unit, limit (with its condition), result, judgement. */
export interface OilReportLine {
  itemCode: string;
  name: string;
  nameEn: string;
  /** The method the lab uses for the item: the first of its methods, e.g. "ISO 3104（GB/T 265）". */
  method: string;
  unit: string;
  limit: string;
  limitEn: string | null;
  condition: string | null;
  source: string | null;
  /** ※: the limit is still 待核实 and the tester judged against it. */
  pendingLimit: boolean;
  value: string;
  judgement: string;
}

/** One oil sample of a report: its description, state on receipt and lines. */
export interface OilReportSample {
  itemId: number;
  sampleName: string;
  labelCode: string | null;
  gradeName: string;
  gradeNameEn: string;
  variantName: string | null;
  specEdition: string;
  sulphurRequirement: string | null;
  sourceType: string | null;
  sourceName: string | null;
  samplingDate: string | null;
  sealNo: string | null;
  bdnNo: string | null;
  conditionOnReceipt: string | null;
  lines: OilReportLine[];
}

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
  /** Added with the laid-out report (older reports lack them and are drawn from `items` and `results`). */
  standards?: string[];
  bilingual?: boolean;
  oilSamples?: OilReportSample[];
  resultsAt?: string | null;
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
  const standards = (await ex.select({ standards: services.standards }).from(services).where(eq(services.id, booking.serviceId)))[0]?.standards ?? [];
  const oilSamples = booking.kind === 'oil_test' ? await oilReportSamples(ex, items, results) : undefined;
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
    standards,
    bilingual: booking.bilingualReport,
    ...(oilSamples ? { oilSamples } : {}),
    resultsAt: booking.resultsAt ? new Date(booking.resultsAt).toISOString() : null,
  };
}

type Item = Awaited<ReturnType<typeof itemsOf>>[number];
type Result = Awaited<ReturnType<typeof resultsOf>>[number];

type Maybe<T> = T | null | undefined;
/** An oil sample as laid out on a report: the booking item's fields the report prints (a stored item, or a demo row). */
export interface SampleItem {
  id: number;
  gradeCode?: Maybe<string>;
  specEdition?: Maybe<string>;
  gradeVariant?: Maybe<string>;
  sulphurRequirement?: Maybe<string>;
  sampleName?: Maybe<string>;
  labelCode?: Maybe<string>;
  sourceType?: Maybe<string>;
  sourceName?: Maybe<string>;
  samplingDate?: Maybe<string>;
  sealNo?: Maybe<string>;
  bdnNo?: Maybe<string>;
  conditionOnReceipt?: Maybe<string>;
  gradeName?: Maybe<string>;
  gradeNameEn?: Maybe<string>;
  gradeVariants?: Maybe<{ code: string; name: string }[]>;
}
/** A result line as laid out on a report. */
export interface SampleResult {
  bookingItemId: number;
  testItemCode?: Maybe<string>;
  unit?: Maybe<string>;
  limitText?: Maybe<string>;
  limitSource?: Maybe<string>;
  valueText?: Maybe<string>;
  judgement?: Maybe<string>;
}
/** The test items' printed names and methods, by code. */
export type TestItemNames = Map<string, { name: string; nameEn: string; methods: string[] }>;

/** Reads what the samples' lines print (item names, methods, the limits' conditions), then lays them out. */
async function oilReportSamples(ex: Executor, items: Item[], results: Result[]): Promise<OilReportSample[]> {
  const testItems: TestItemNames = new Map((await oilItemsByCodes(ex, [...new Set(results.map((r) => r.testItemCode).filter((c): c is string => !!c))])).map((t) => [t.code, t]));
  const grades = [...new Set(items.map((i) => i.gradeCode).filter((g): g is string => !!g))];
  const limits = await limitsOf(ex, grades, [...new Set(items.map((i) => i.specEdition).filter((e): e is string => !!e))]);
  return layOilSamples(items, results, testItems, limits);
}

const CHINESE_STANDARD = /^(?:GB|SH|NB\/SH)\/?T?\s*\d/;

/**
 * The method a report line cites. Judged against a national product standard (GB 19147, GB 17930, GB 17411) the line
 * cites the Chinese method that standard calls for — "SH/T 0689", or the GB/T of "ISO 3104（GB/T 265）" — when the item
 * has one; against ISO 8217 or an agreement, the lab's first method as written ("ISO 3104（GB/T 265）").
 */
export function printedMethod(methods: readonly string[], specEdition: string | null): string {
  if (specEdition?.startsWith('GB')) {
    for (const m of methods) {
      const own = m.split('（')[0]!.trim();
      const equivalent = /（([^）]+)）/.exec(m)?.[1]?.trim();
      if (CHINESE_STANDARD.test(own)) return own;
      if (equivalent && CHINESE_STANDARD.test(equivalent)) return equivalent;
    }
  }
  return methods[0] ?? '—';
}

/**
 * The oil samples as the report prints them: each result line with its item's name (and English name), method and
 * unit, the limit as judged (frozen in the result) with the condition under which it applies and its English wording.
 * Pure, so that the demo history lays out its reports exactly as the lab's issue does.
 */
export function layOilSamples(items: SampleItem[], results: SampleResult[], testItems: TestItemNames, limits: LimitRow[]): OilReportSample[] {
  return items.map((item) => {
    const spec = { gradeCode: item.gradeCode ?? '', edition: item.specEdition ?? null, variant: item.gradeVariant ?? null, sulphurRequirement: item.sulphurRequirement ?? null };
    const lines = results
      .filter((r) => r.bookingItemId === item.id && r.testItemCode)
      .map((r): OilReportLine => {
        const t = testItems.get(r.testItemCode!);
        const row = pickRow(limits, r.testItemCode!, spec);
        const criterion = row?.kind === 'criterion' && row.criterion === (r.limitText ?? null);
        return {
          itemCode: r.testItemCode!,
          name: t?.name ?? r.testItemCode!,
          nameEn: t?.nameEn ?? '',
          method: printedMethod(t?.methods ?? [], item.specEdition ?? null),
          unit: r.unit && r.unit !== '-' ? r.unit : '—',
          limit: r.limitText ?? '—',
          limitEn: criterion ? (row?.criterionEn ?? null) : null,
          condition: row && row.source && r.limitSource?.startsWith(row.source) ? (row.condition ?? null) : null,
          source: r.limitSource ?? null,
          pendingLimit: (r.limitSource ?? '').includes('待核实'),
          value: r.valueText ?? '',
          judgement: r.judgement ?? 'no_limit',
        };
      });
    return {
      itemId: item.id,
      sampleName: item.sampleName ?? '',
      labelCode: item.labelCode ?? null,
      gradeName: item.gradeName ?? '',
      gradeNameEn: item.gradeNameEn ?? '',
      variantName: item.gradeVariants?.find((v) => v.code === item.gradeVariant)?.name ?? null,
      specEdition: item.specEdition ?? '',
      sulphurRequirement: isSulphurRequirement(item.sulphurRequirement) ? SULPHUR_REQUIREMENTS[item.sulphurRequirement].name : null,
      sourceType: item.sourceType ?? null,
      sourceName: item.sourceName ?? null,
      samplingDate: item.samplingDate ?? null,
      sealNo: item.sealNo ?? null,
      bdnNo: item.bdnNo ?? null,
      conditionOnReceipt: item.conditionOnReceipt ?? null,
      lines,
    };
  });
}
