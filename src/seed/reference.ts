import { readFileSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { fromRoot } from '../shared/paths.js';
import { insertRows } from '../db/bulk-insert.js';
import type { Db, Executor } from '../db/client.js';
import { metrologyBasis } from '../catalog/metrology-basis.js';
import {
  type ServiceGuide,
  feeRules,
  instrumentCategories,
  oilEditions,
  prices,
  nodes,
  nodeServices,
  oilGrades,
  oilLimits,
  oilPackages,
  oilTestItems,
  parks,
  serviceCategories,
  services,
} from '../db/schema.js';

/* The project's own seed files, built from the researched facts in ../shared/domain (see each file's "source"). */

interface InstrumentCategorySeed {
  code: string;
  name: string;
  discipline: string;
  compulsory: string;
  compulsoryScope: string | null;
  regulations: string[];
  periodMonths: number | null;
  periodRule: string | null;
  serviceModes: string[];
  turnaroundDays: number;
  feeBasis: string;
  note: string | null;
}

interface OilSeed {
  editions: { code: string; name: string; families: string[]; bookable: boolean; notice: string | null }[];
  grades: {
    code: string;
    name: string;
    shortName: string;
    nameEn: string;
    family: string;
    standard: string;
    editions: string[];
    sortOrder: number;
    variants: { code: string; name: string; nameEn?: string }[];
    sulphurNote?: string | null;
    remark?: string | null;
  }[];
  items: {
    code: string;
    name: string;
    nameEn: string;
    unit: string;
    methods: { code: string; cn: string | null }[];
    appliesTo: string[];
    plausibleMin: number | null;
    plausibleMax: number | null;
    sortOrder: number;
    remark?: string | null;
  }[];
  limits: {
    item: string;
    grade: string;
    edition: string;
    variant: string | null;
    kind: 'min' | 'max' | 'range' | 'criterion';
    min: number | null;
    max: number | null;
    criterion: string | null;
    criterionEn: string | null;
    condition: string | null;
    verified: boolean;
    source: string;
    researchNote?: string;
  }[];
  packages: { code: string; name: string; items: string[]; gradeFamilies: string[]; grades: string[] | null; turnaroundDays: number; remark: string | null }[];
  serviceOfferings: Record<string, { grades: string[]; packages: string[] }>;
}

interface NetworkSeed {
  categories: { code: string; name: string; bookingPrefix: string; sortOrder: number; description: string }[];
  parks: { code: string; name: string; district: string; description: string }[];
  nodes: {
    code: string;
    kind: 'centre' | 'station' | 'lab';
    name: string;
    shortName: string;
    park: string | null;
    district: string;
    address: string;
    hours: string;
    phone: string;
    contactName: string;
    sortOrder: number;
    description: string;
  }[];
  consultations: {
    code: string;
    category: string;
    name: string;
    turnaroundDays: number;
    standards: string[];
    summary: string;
    feeBasis: string;
    requiredDocuments: string[];
    deliveryModes: string[];
    keywords: string;
  }[];
  oilServices: {
    code: string;
    name: string;
    grades: string[];
    packages: string[];
    turnaroundDays: number;
    standards: string[];
    summary: string;
    feeBasis: string;
    requiredDocuments: string[];
    keywords: string;
  }[];
  offerings: Record<string, string[]>;
}

interface FeesSeed {
  rules: { code: string; name: string; text: string; basis: string; kind: string; percentMin: number | null; percentMax: number | null; official: boolean; effectiveFrom: string }[];
  prices: {
    code: string;
    kind: 'service' | 'oil-item' | 'oil-package';
    unit: string;
    amount: number | null;
    amountMin: number | null;
    amountMax: number | null;
    priceType: 'published' | 'estimate' | 'tbd' | 'free' | 'free-then-agreement' | 'per-item';
    official: boolean;
    publisher: string | null;
    basis: string;
    compulsory: string | null;
  }[];
}

interface GuidesSeed {
  guides: Record<string, ServiceGuide & { name: string; kind: string; researchNote?: string }>;
}

function readSeed<T>(name: string): T {
  return JSON.parse(readFileSync(fromRoot('src', 'seed', 'data', name), 'utf8')) as T;
}

export function loadSeedData() {
  return {
    instruments: readSeed<{ categories: InstrumentCategorySeed[] }>('instrument-categories.json').categories,
    oil: readSeed<OilSeed>('oil-reference.json'),
    network: readSeed<NetworkSeed>('network.json'),
    fees: readSeed<FeesSeed>('fees.json'),
    guides: readSeed<GuidesSeed>('service-guides.json').guides,
  };
}

/** What users read of a guide: its display fields only (the research note stays in the seed file). */
function displayGuide(g: GuidesSeed['guides'][string] | undefined): ServiceGuide | null {
  if (!g) return null;
  const { scope, compulsoryScope, period, process, materials, turnaround, legalBasis, notes } = g;
  return { scope, compulsoryScope, period, process, materials, turnaround, legalBasis, notes };
}

// An instrument category's `note`, `periodRule` and unverified `periodMonths` are research notes: the service reads
// its guide (service-guides.json) instead.
function calibrationService(c: InstrumentCategorySeed, sortOrder: number, guide: ServiceGuide | null) {
  // Only 校准规范 (JJF), no 检定规程: the service calibrates and is named so (it issues no 检定证书).
  const { calibrationOnly } = metrologyBasis(c.regulations);
  return {
    code: c.code,
    name: `${c.name} ${calibrationOnly ? '校准' : '检定/校准'}`,
    categoryCode: 'metrology',
    bookingKind: 'calibration' as const,
    summary: `${c.discipline}计量器具的${calibrationOnly ? '校准' : '检定或校准'}，依据 ${c.regulations.join('、')}。`,
    description: '',
    standards: c.regulations,
    turnaroundDays: c.turnaroundDays,
    feeBasis:
      c.compulsory === 'yes'
        ? '强制检定免费（财税〔2017〕20号）；非强检用途的检定或校准按物价标准收费'
        : c.compulsory === 'conditional'
          ? '强检用途免费；其他用途的检定或校准按物价标准收费'
          : '按物价标准收费（以受理时报价为准）',
    requiredDocuments: guide?.materials ?? ['计量器具清单（名称、型号、出厂编号、测量范围、准确度等级）', '上次检定/校准证书（如有）'],
    instrumentCategoryCode: c.code,
    gradeCodes: null,
    packageCodes: null,
    deliveryModes: c.serviceModes,
    keywords: `${c.name} ${c.discipline} ${c.regulations.join(' ')}`,
    guide,
    sortOrder,
  };
}

/** Upserts the whole reference catalog by code: safe to run any number of times. */
/** The editions a service's samples can be judged by: the bookable ones of its grades' families (no diesel standard for marine fuel). */
function editionsOfService(oil: { grades: { code: string; family: string }[]; editions: { name: string; families: string[]; bookable: boolean }[] }, gradeCodes: string[]): string[] {
  const families = new Set(oil.grades.filter((g) => gradeCodes.includes(g.code)).map((g) => g.family));
  return oil.editions.filter((e) => e.bookable && e.families.some((f) => families.has(f))).map((e) => e.name);
}

export async function seedReference(db: Db): Promise<void> {
  const { instruments, oil, network, fees, guides } = loadSeedData();
  await db.transaction(async (tx) => {
    // Each table in one statement or two (src/db/bulk-insert.ts): a first start writes ~1 000 reference rows.
    const c = serviceCategories;
    await insertRows(tx, serviceCategories, network.categories, { onConflict: { target: [c.code], update: [c.name, c.description, c.bookingPrefix, c.sortOrder] } });
    await insertRows(tx, parks, network.parks, { onConflict: { target: [parks.code], update: [parks.name, parks.district, parks.description] } });
    const parkIds = await idsByCode(tx, 'parks');
    const nodeRows = network.nodes.map((n) => ({
        code: n.code,
        name: n.name,
        shortName: n.shortName,
        kind: n.kind,
        parkId: n.park ? parkIds.get(n.park)! : null,
        district: n.district,
        address: n.address,
        hours: n.hours,
        phone: n.phone,
        contactName: n.contactName,
        description: n.description,
        sortOrder: n.sortOrder,
    }));
    // Existing nodes keep what administrators changed since: the seed only fills in what is missing.
    await insertRows(tx, nodes, nodeRows, { onConflict: { target: [nodes.code], doNothing: true } });

    const categoryRows = instruments.map((c) => ({
        code: c.code,
        name: c.name,
        discipline: c.discipline,
        compulsory: c.compulsory,
        compulsoryScope: c.compulsoryScope,
        regulations: c.regulations,
        periodMonths: c.periodMonths,
        periodRule: c.periodRule,
        serviceModes: c.serviceModes,
        note: c.note,
    }));
    await insertRows(tx, instrumentCategories, categoryRows, { onConflict: { target: [instrumentCategories.code], update: 'all' } });
    await seedOil(tx, oil);
    await seedFees(tx, fees);

    const serviceRows = [
      ...instruments.map((c, i) => calibrationService(c, 100 + i, displayGuide(guides[c.code]))),
      ...network.oilServices.map((s, i) => ({
        code: s.code,
        name: s.name,
        categoryCode: 'testing',
        bookingKind: 'oil_test' as const,
        summary: s.summary,
        description: `可选检测套餐或单项；判定依据按委托约定的规格版本（${editionsOfService(oil, oil.serviceOfferings[s.code]?.grades ?? s.grades).join('、')}）。`,
        standards: s.standards,
        turnaroundDays: s.turnaroundDays,
        feeBasis: s.feeBasis,
        requiredDocuments: guides[s.code]?.materials ?? s.requiredDocuments,
        instrumentCategoryCode: null,
        guide: displayGuide(guides[s.code]),
        gradeCodes: oil.serviceOfferings[s.code]?.grades ?? s.grades,
        packageCodes: oil.serviceOfferings[s.code]?.packages ?? s.packages,
        deliveryModes: ['send_in'],
        keywords: s.keywords,
        sortOrder: 10 + i,
      })),
      ...network.consultations.map((s, i) => ({
        code: s.code,
        name: s.name,
        categoryCode: s.category,
        bookingKind: 'consultation' as const,
        summary: s.summary,
        description: '',
        standards: s.standards,
        turnaroundDays: s.turnaroundDays,
        feeBasis: s.feeBasis,
        requiredDocuments: guides[s.code]?.materials ?? s.requiredDocuments,
        instrumentCategoryCode: null,
        guide: displayGuide(guides[s.code]),
        gradeCodes: null,
        packageCodes: null,
        deliveryModes: s.deliveryModes,
        keywords: s.keywords,
        sortOrder: 10 + i,
      })),
    ];
    // The guide is reference text and always follows the seed. What the admin service form edits follows it only
    // while no administrator has changed the row (updated_at still equals created_at): earlier seeds wrote research
    // notes into calibration services' summary and description, and this replaces them.
    await insertRows(tx, services, serviceRows, { onConflict: { target: [services.code], update: [services.guide] } });
    const texts = JSON.stringify(serviceRows.map((s) => ({ code: s.code, summary: s.summary, description: s.description, required_documents: s.requiredDocuments })));
    await tx.execute(sql`
      UPDATE ${services} SET summary = t.summary, description = t.description, required_documents = t.required_documents
        FROM jsonb_populate_recordset(NULL::${services}, ${texts}::jsonb) AS t
       WHERE ${services.code} = t.code AND ${services.updatedAt} = ${services.createdAt}`);

    const nodeIds = await idsByCode(tx, 'nodes');
    const serviceIds = await idsByCode(tx, 'services');
    const nodeKinds = new Map(network.nodes.map((n) => [n.code, n.kind]));
    const serviceByCode = new Map(serviceRows.map((s) => [s.code, s]));
    const offeringRows: (typeof nodeServices.$inferInsert)[] = [];
    for (const [nodeCode, offered] of Object.entries(network.offerings)) {
      const codes = offered.flatMap((code) =>
        code === '*calibration' ? instruments.map((c) => c.code) : code === '*oil_test' ? network.oilServices.map((s) => s.code) : [code],
      );
      for (const serviceCode of codes) {
        const nodeId = nodeIds.get(nodeCode);
        const serviceId = serviceIds.get(serviceCode);
        const service = serviceByCode.get(serviceCode);
        if (!nodeId || !serviceId || !service) throw new Error(`seed: unknown node ${nodeCode} or service ${serviceCode}`);
        const capacity = defaultCapacityFor(nodeKinds.get(nodeCode)!, service.bookingKind, service.deliveryModes);
        offeringRows.push({ nodeId, serviceId, ...capacity });
      }
    }
    // Offerings an administrator already changed keep their capacity: insert only.
    await insertRows(tx, nodeServices, offeringRows, { onConflict: { doNothing: true } });
  });
}

/** A method as users read it: the method and its Chinese counterpart, "ISO 3104（GB/T 265）". */
function methodText(m: { code: string; cn: string | null }): string {
  return m.cn && m.cn !== m.code ? `${m.code}（${m.cn}）` : m.code;
}

/** The oil desk's reference data: editions, grades with their variants, test items, limits per edition and variant, packages. */
async function seedOil(tx: Executor, oil: OilSeed): Promise<void> {
  const editions = oil.editions.map((e, i) => ({ code: e.code, name: e.name, families: e.families, bookable: e.bookable, notice: e.notice, sortOrder: i }));
  await insertRows(tx, oilEditions, editions, { onConflict: { target: [oilEditions.code], update: 'all' } });
  const grades = oil.grades.map((g) => ({ code: g.code, name: g.name, shortName: g.shortName, nameEn: g.nameEn, family: g.family, standard: g.standard, editions: g.editions, variants: g.variants, sulphurNote: g.sulphurNote ?? null, remark: g.remark ?? null, sortOrder: g.sortOrder }));
  await insertRows(tx, oilGrades, grades, { onConflict: { target: [oilGrades.code], update: 'all' } });
  const items = oil.items.map((i) => ({ code: i.code, name: i.name, nameEn: i.nameEn, unit: i.unit, methods: i.methods.map(methodText), appliesTo: i.appliesTo, plausibleMin: i.plausibleMin, plausibleMax: i.plausibleMax, remark: i.remark ?? null, sortOrder: i.sortOrder }));
  await insertRows(tx, oilTestItems, items, { onConflict: { target: [oilTestItems.code], update: 'all' } });
  const limits = oil.limits.map((l) => ({
    itemCode: l.item,
    gradeCode: l.grade,
    edition: l.edition,
    variant: l.variant ?? '',
    kind: l.kind,
    minValue: l.min,
    maxValue: l.max,
    criterion: l.criterion,
    criterionEn: l.criterionEn,
    condition: l.condition,
    verified: l.verified,
    source: l.source,
    researchNote: l.researchNote ?? null,
  }));
  // A limit the platform admin has since checked and marked verified stays verified.
  await insertRows(tx, oilLimits, limits, { onConflict: { target: [oilLimits.itemCode, oilLimits.gradeCode, oilLimits.edition, oilLimits.variant], update: 'all', keep: [oilLimits.verified] } });
  const packages = oil.packages.map((p) => ({ code: p.code, name: p.name, itemCodes: p.items, gradeFamilies: p.gradeFamilies, gradeCodes: p.grades, remark: p.remark, turnaroundDays: p.turnaroundDays }));
  await insertRows(tx, oilPackages, packages, { onConflict: { target: [oilPackages.code], update: 'all' } });
}

/** The initial price list of the platform (from 2026-01-01, its launch): reference prices are labelled as such. */
const PRICE_LIST_FROM = '2026-01-01';
const cents = (yuan: number | null) => (yuan === null ? null : Math.round(yuan * 100));

async function seedFees(tx: Executor, fees: FeesSeed): Promise<void> {
  await insertRows(tx, feeRules, fees.rules, { onConflict: { target: [feeRules.code], update: 'all' } });
  // Prices are inserted once: after that the platform admin maintains them (effective-dated, in the admin pages).
  if ((await tx.$count(prices)) > 0) return;
  const kinds = { service: 'service', 'oil-item': 'oil_item', 'oil-package': 'oil_package' } as const;
  const types = { published: 'published', estimate: 'estimate', tbd: 'tbd', free: 'free', 'free-then-agreement': 'free_then_agreement', 'per-item': 'per_item' } as const;
  await insertRows(
    tx,
    prices,
    fees.prices.map((p) => ({
      targetKind: kinds[p.kind],
      targetCode: p.code,
      unit: p.unit,
      amountCents: cents(p.amount),
      amountMinCents: cents(p.amountMin),
      amountMaxCents: cents(p.amountMax),
      priceType: types[p.priceType],
      official: p.official,
      publisher: p.publisher,
      basis: p.basis,
      compulsory: p.compulsory ?? 'no',
      effectiveFrom: PRICE_LIST_FROM,
    })),
  );
  // One node offers 加急 from the start: the oil lab, for ISO 8217 tests (bunker disputes are time-bound), at the
  // lower end of the reference surcharge (RULE-URGENT, 30 %–50 %): a reference rate, never presented as official.
  const oilLab = (await tx.select({ id: nodes.id }).from(nodes).where(eq(nodes.code, 'ZS-OILLAB')))[0];
  const iso = fees.prices.find((p) => p.code === 'YP-ISO8217' && p.kind === 'service');
  const urgent = fees.rules.find((r) => r.code === 'RULE-URGENT');
  if (oilLab && iso && urgent?.percentMin) {
    await tx.insert(prices).values({
      targetKind: 'service',
      targetCode: iso.code,
      nodeId: oilLab.id,
      unit: iso.unit,
      amountCents: cents(iso.amount),
      priceType: types[iso.priceType],
      official: false,
      basis: `${iso.basis}；可加急，加收基础费用的 ${urgent.percentMin}%（参考费率，以受理时确认的为准）`,
      compulsory: 'no',
      urgentPercent: urgent.percentMin,
      effectiveFrom: PRICE_LIST_FROM,
    });
  }
}

/**
 * Starting capacity of an offering, per half-day window (a unit is one instrument or one sample) or per consultation
 * slot (experts). Node managers adjust it afterwards.
 */
function defaultCapacityFor(nodeKind: 'centre' | 'station' | 'lab', kind: 'calibration' | 'oil_test' | 'consultation', deliveryModes: string[]) {
  if (kind === 'consultation') {
    return { capacityAm: 0, capacityPm: 0, slotTimes: ['09:00', '10:00', '14:00', '15:00', '16:00'], slotCapacity: nodeKind === 'centre' ? 2 : 1 };
  }
  if (kind === 'oil_test') {
    const perWindow = nodeKind === 'lab' ? 12 : 6;
    return { capacityAm: perWindow, capacityPm: perWindow, slotTimes: null, slotCapacity: 0 };
  }
  // Work done only on site (tanks, weighbridges, dispensers) is counted in jobs of a few units.
  const onSiteOnly = deliveryModes.length === 1 && deliveryModes[0] === 'on_site';
  const perWindow = onSiteOnly ? (nodeKind === 'lab' ? 6 : 3) : nodeKind === 'lab' ? 40 : 20;
  return { capacityAm: perWindow, capacityPm: perWindow, slotTimes: null, slotCapacity: 0 };
}

async function idsByCode(ex: Executor, table: 'parks' | 'nodes' | 'services'): Promise<Map<string, number>> {
  const t = { parks, nodes, services }[table];
  const rows = await ex.select({ id: t.id, code: t.code }).from(t);
  return new Map(rows.map((r) => [r.code, r.id]));
}

export async function catalogIsEmpty(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(services);
  return (row?.n ?? 0) === 0;
}
