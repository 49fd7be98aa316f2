import type { z } from 'zod';
import { assertCan, type Principal } from '../auth/access.js';
import { describeWindow, UNAVAILABLE_MESSAGES, type BookingKind, type NodeServiceRef, type WindowAvailability } from '../capacity/availability.js';
import { findFullWindow, findNodeService } from '../capacity/capacity.repo.js';
import { findNode, itemAppliesToFamily } from '../catalog/catalog.repo.js';
import { ConflictError, ValidationError } from '../shared/errors.js';
import { addDays, isIsoDate, shanghaiDate } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import type { NewBookingItem } from './bookings.repo.js';
import { unitsLabel } from './bookings.view.js';
import { estimateFee, priceTargets, type FeeEstimate, type FeeQuery } from '../fees/estimate.js';
import { pricesInForce } from '../fees/fees.repo.js';
import {
  calibrationSchema,
  consultationSchema,
  oilTestSchema,
  slotField,
  SOURCE_TYPES,
  type CalibrationInput,
  type ConsultationInput,
  type OilTestInput,
} from './bookings.schemas.js';
import type { BookingsDeps } from './context.js';
import { activeService, isMarineFamily, oilReference, type ActiveService } from './form.js';
import { metrologyBasis } from '../catalog/metrology-basis.js';
import { isSulphurRequirement, SULPHUR_REQUIREMENTS } from '../lab/limits.js';

/** A booking form checked completely: what will be saved, and the lines the review page shows. */
export interface PreparedBooking {
  kind: BookingKind;
  service: ActiveService;
  nodeId: number;
  nodeName: string;
  ref: NodeServiceRef;
  date: string;
  window: string;
  /** The window's capacity as it stood when checked: its row is created with it on first use. */
  windowCapacity: number;
  units: number;
  deliveryMode: string;
  onsiteAddress: string | null;
  contactName: string;
  contactMobile: string;
  remarks: string;
  idempotencyKey: string;
  items: NewBookingItem[];
  /** Human-readable lines for the review page. */
  summary: { label: string; value: string }[];
  /** The fee estimate from the prices in force today (frozen with the booking). */
  fee: FeeEstimate;
  urgent: boolean;
  /** Oil tests: a bilingual (中英文) report was asked for. */
  bilingualReport: boolean;
}

type KindInput = CalibrationInput | OilTestInput | ConsultationInput;

interface KindDetails {
  /** What the fee estimate needs beyond the service. */
  fee: Pick<FeeQuery, 'instruments' | 'oil'>;
  items: NewBookingItem[];
  units: number;
  deliveryMode: string;
  onsiteAddress: string | null;
  summary: { label: string; value: string }[];
  errors: Record<string, string>;
}

/** The places a checked form takes in its window: its instruments' quantities, its samples, or one consultation. */
function unitsOf(kind: BookingKind, v: KindInput): number {
  if (kind === 'calibration') return (v as CalibrationInput).items.reduce((s, i) => s + i.quantity, 0);
  return kind === 'oil_test' ? (v as OilTestInput).quantity : 1;
}

function parseKind(kind: BookingKind, input: unknown): KindInput {
  const schema = kind === 'calibration' ? calibrationSchema : kind === 'oil_test' ? oilTestSchema : consultationSchema;
  return parseInput(schema as z.ZodType, input) as KindInput;
}

/**
 * Refuses at once a form for a window the committed bookings have already filled — one read, before the form is
 * checked and long before a transaction or a lock: under a burst the refusals stay cheap. The same read finds the
 * booking this form already made (sent twice, the first copy took the last place): that booking is returned instead.
 * The check in the transaction (`takeUnits`) stays the authority for a window with room left.
 */
export async function refuseKnownFull(
  deps: Pick<BookingsDeps, 'db' | 'availability'>,
  body: Record<string, unknown>,
  form: { enterpriseId: number; key: string },
): Promise<{ number: string; requestFingerprint: string | null } | undefined> {
  const slot = windowOfForm(body);
  if (!slot) return undefined;
  const full = await findFullWindow(deps.db, slot.service, slot.nodeId, slot.date, slot.window, form);
  if (!full || !full.ns.active) return undefined;
  if (full.earlier) return full.earlier;
  // The windows offered instead must take what this form asks for (a form that does not parse asks for one).
  let units = 1;
  try {
    units = unitsOf(full.kind, parseKind(full.kind, body));
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
  }
  return refuseFull(deps, { ns: full.ns, kind: full.kind }, { free: 0, date: slot.date, key: slot.window }, units);
}

/** The window a booking form asks for, read without checking the rest of the form; undefined when malformed. */
export function windowOfForm(body: Record<string, unknown>): { service: string; nodeId: number; date: string; window: string } | undefined {
  const { service, node } = body;
  const slot = slotField.safeParse(body.slot);
  if (typeof service !== 'string' || service.length > 40 || typeof node !== 'string' || !/^\d{1,9}$/.test(node) || !slot.success) return undefined;
  return { service, nodeId: Number(node), date: slot.data.date, window: slot.data.window };
}

/** What a refusal may not offer or suggest beyond the refused window: a booking's own window when it is moved. */
interface RefusalOptions {
  alsoExclude?: { date: string; key: string };
  /** A new booking may be split over several windows; a booking being moved may not. */
  canSplit?: boolean;
}

/** "这个时段刚刚约满" (or only N places left), naming the window, with the next windows that can take the units. */
export async function refuseFull(
  deps: Pick<BookingsDeps, 'availability'>,
  ref: NodeServiceRef,
  window: Pick<WindowAvailability, 'free'> & Partial<Pick<WindowAvailability, 'date' | 'key'>>,
  units: number,
  opts: RefusalOptions = {},
): Promise<never> {
  const excluded = (w: WindowAvailability) => (w.date === window.date && w.key === window.key) || (w.date === opts.alsoExclude?.date && w.key === opts.alsoExclude.key);
  // The list may be up to a second old: never offer the window just refused.
  const next = ((await deps.availability.afterRefusal.nextFree([ref], 5, units)).get(ref.ns.id) ?? []).filter((w) => !excluded(w));
  const which = window.date && window.key ? `${describeWindow(window.date, window.key)}：` : '';
  const message =
    window.free > 0
      ? `${which}这个时段只剩 ${window.free} 个名额，您预约了 ${units} ${unitsLabel(ref.kind)}。请改选其他时段${opts.canSplit === false ? '' : '，或分次预约'}。`
      : `${which}这个时段刚刚约满，请改选其他时段。`;
  throw new ConflictError(message, 'window_full', { nextFree: next, free: Math.max(0, window.free) });
}

/** The oil form's choices the reference rules judge (grade, edition, quality, sulphur requirement, package or items). */
interface OilChoices {
  gradeCode: string;
  specEdition: string;
  gradeVariant?: string | undefined;
  sulphurRequirement?: string | undefined;
  samplingDate?: string | undefined;
  testMode: string;
  packageCode?: string | undefined;
  testItems: string[];
}

/** Oil-test rules that need the reference data: grade of this service, edition of its family, items of the grade. */
function checkOilChoices(ref: Awaited<ReturnType<typeof oilReference>>, c: OilChoices, today: string) {
  const errors: Record<string, string> = {};
  const grade = ref.grades.find((g) => g.code === c.gradeCode);
  if (!grade) errors.gradeCode = '请选择本项服务可检测的产品牌号';
  const unbookable = ref.unbookableEditions.find((e) => e.code === c.specEdition);
  if (unbookable) errors.specEdition = unbookable.notice ?? '暂不受理按该版本判定的委托';
  else if (grade && !grade.editions.includes(c.specEdition)) errors.specEdition = '请选择与产品牌号对应的规格版本';
  // A grade whose limits depend on the quality (winter/summer pour point) is judged against the one the customer names.
  const variant = grade?.variants.find((x) => x.code === c.gradeVariant);
  if (grade?.variants.length && !variant) errors.gradeVariant = `请选择${grade.shortName || grade.name}的品质（${grade.variants.map((x) => x.name).join(' / ')}）`;
  const marine = !!grade && isMarineFamily(grade.family);
  if (marine && !isSulphurRequirement(c.sulphurRequirement)) errors.sulphurRequirement = '请选择硫含量按哪项法定要求判定';
  if (c.samplingDate && c.samplingDate > today) errors.samplingDate = '取样日期不能晚于今天';
  else if (c.samplingDate && c.samplingDate < addDays(today, -365)) errors.samplingDate = '取样日期早于一年前，样品已超出保存期';
  let testItemCodes: string[] = [];
  let packageCode: string | null = null;
  let testsLabel = '';
  if (c.testMode === 'package') {
    const pkg = ref.packages.find((p) => p.code === c.packageCode);
    if (!pkg) errors.packageCode = '请选择检测套餐';
    else if (grade && (!pkg.gradeFamilies.includes(grade.family) || (pkg.gradeCodes && !pkg.gradeCodes.includes(grade.code)))) errors.packageCode = `套餐“${pkg.name}”不适用于${grade.name}`;
    else [packageCode, testItemCodes, testsLabel] = [pkg.code, pkg.itemCodes, pkg.name];
  } else if (c.testMode === 'items') {
    const chosen = [...new Set(c.testItems)];
    const known = new Map(ref.items.map((i) => [i.code, i]));
    if (chosen.length === 0) errors.testItems = '请至少选择一个检测项目，或改选检测套餐';
    else if (chosen.some((code) => !known.has(code) || (grade && !itemAppliesToFamily(known.get(code)!.appliesTo, grade.family)))) {
      errors.testItems = '所选检测项目中有不适用于该牌号的项目，请重新选择';
    } else [testItemCodes, testsLabel] = [chosen, chosen.map((code) => known.get(code)!.name).join('、')];
  }
  return { errors, grade, variant, marine, packageCode, testItemCodes, testsLabel };
}

/**
 * The same rules on a form whose other fields did not pass their checks, so that one submit lists every message (a
 * missing package was told only once the contact's mobile number was right). Only what can be read is judged.
 */
async function oilChoiceErrors(deps: PrepareDeps, service: ActiveService, body: Record<string, unknown>, today: string): Promise<Record<string, string>> {
  const text = (x: unknown) => (typeof x === 'string' ? x.trim() : '');
  const samplingDate = text(body.samplingDate);
  const choices: OilChoices = {
    gradeCode: text(body.gradeCode),
    specEdition: text(body.specEdition),
    gradeVariant: text(body.gradeVariant),
    sulphurRequirement: text(body.sulphurRequirement),
    samplingDate: isIsoDate(samplingDate) ? samplingDate : undefined,
    testMode: text(body.testMode),
    packageCode: text(body.packageCode),
    testItems: [body.testItems ?? []].flat().filter((x): x is string => typeof x === 'string'),
  };
  const { errors } = checkOilChoices(await oilReference(deps, service), choices, today);
  // an empty grade or edition has the form's own message already
  if (!choices.gradeCode) delete errors.gradeCode;
  if (!choices.specEdition) delete errors.specEdition;
  return errors;
}

async function oilDetails(deps: PrepareDeps, service: ActiveService, v: OilTestInput, today: string): Promise<KindDetails> {
  const ref = await oilReference(deps, service);
  const { errors, grade, variant, marine, packageCode, testItemCodes, testsLabel } = checkOilChoices(ref, v, today);
  const item: NewBookingItem = {
    quantity: v.quantity,
    sampleName: v.sampleName,
    gradeCode: v.gradeCode,
    specEdition: v.specEdition,
    gradeVariant: variant?.code ?? null,
    sulphurRequirement: marine && isSulphurRequirement(v.sulphurRequirement) ? v.sulphurRequirement : null,
    bdnNo: v.bdnNo || null,
    sourceType: v.sourceType,
    sourceName: v.sourceName,
    samplingDate: v.samplingDate,
    sealNo: v.sealNo,
    packageCode,
    testItemCodes,
  };
  const summary = [
    { label: '样品', value: `${v.sampleName} × ${v.quantity} 份（${SOURCE_TYPES[v.sourceType]}：${v.sourceName}，铅封 ${v.sealNo}${v.bdnNo ? `，BDN ${v.bdnNo}` : ''}）` },
    { label: '检测', value: `${grade?.name ?? v.gradeCode}${variant ? `（${variant.name}）` : ''}，判定依据 ${ref.editionNames[v.specEdition] ?? v.specEdition} · ${testsLabel}` },
    ...(marine && isSulphurRequirement(v.sulphurRequirement) ? [{ label: '硫含量判定', value: SULPHUR_REQUIREMENTS[v.sulphurRequirement].name }] : []),
  ];
  const pkg = packageCode ? ref.packages.find((p) => p.code === packageCode) : undefined;
  const itemNames = Object.fromEntries(ref.items.map((i) => [i.code, i.name]));
  const fee = { oil: { samples: v.quantity, packageCode, packageName: pkg?.name ?? null, itemCodes: testItemCodes, itemNames } };
  return { fee, items: [item], units: unitsOf('oil_test', v), deliveryMode: 'send_in', onsiteAddress: null, summary, errors };
}

function calibrationDetails(service: ActiveService, c: CalibrationInput): KindDetails {
  const errors: Record<string, string> = {};
  if (!service.deliveryModes.includes(c.deliveryMode)) errors.deliveryMode = '该服务不提供所选服务方式';
  // 强检 is verification by a 检定规程: a service working only by 校准规范 (JJF) cannot take it (nor waive its fee).
  const { specifications, calibrationOnly } = metrologyBasis(service.standards);
  // … nor an instrument the 2020 catalogue does not list (working weights: 强检 only as a 计量标准, by 考核).
  const notListed = service.instrumentCompulsory === 'no';
  c.items.forEach((i, n) => {
    if (!i.compulsory) return;
    if (calibrationOnly) errors[`items.${n}.compulsory`] = `本服务依据校准规范 ${specifications[0]} 只作校准，不属强制检定；强检器具请预约相应的检定服务`;
    else if (notListed) errors[`items.${n}.compulsory`] = `“${service.instrumentCategoryName ?? service.name}”作为工作计量器具不在强制检定目录内，请选择“否”（作为计量标准使用的，按计量标准考核管理）`;
  });
  const items = c.items.map((i) => ({
    quantity: i.quantity,
    instrumentName: i.name,
    model: i.model || null,
    serialNo: i.serialNo,
    measuringRange: i.range || null,
    accuracyClass: i.accuracyClass || null,
    compulsory: i.compulsory,
    intendedUse: i.intendedUse || null,
  }));
  const summary = [{ label: '计量器具', value: c.items.map((i) => `${i.name}（${i.serialNo}）×${i.quantity}`).join('；') }];
  const units = unitsOf('calibration', c);
  const fee = { instruments: c.items.map((i) => ({ name: `${i.name}（${i.serialNo}）`, quantity: i.quantity, compulsory: i.compulsory })) };
  return { fee, items, units, deliveryMode: c.deliveryMode, onsiteAddress: c.deliveryMode === 'on_site' ? c.onsiteAddress : null, summary, errors };
}

function consultationDetails(service: ActiveService, k: ConsultationInput): KindDetails {
  const errors: Record<string, string> = {};
  if (!service.deliveryModes.includes(k.deliveryMode)) errors.deliveryMode = '该服务不提供所选服务方式';
  const items = [{ quantity: 1, topic: k.topic, description: k.description, participants: k.participants }];
  return { fee: {}, items, units: unitsOf('consultation', k), deliveryMode: k.deliveryMode, onsiteAddress: null, summary: [{ label: '咨询主题', value: k.topic }], errors };
}

/**
 * Validates a booking form completely — fields, kind-specific rules, the node and the chosen window — and returns
 * what would be saved. Throws ValidationError with every field's message, or ConflictError when the window is full.
 */
/** The dependencies preparing a booking reads (no storage: files are the caller's). */
export type PrepareDeps = Pick<BookingsDeps, 'db' | 'availability' | 'clock' | 'reference'>;

export async function prepareBooking(deps: PrepareDeps, user: Principal, body: Record<string, unknown>): Promise<PreparedBooking> {
  assertCan(user, 'booking.create');
  return prepareChecked(deps, body);
}

/** The same checks for a caller whose right to book was established otherwise (the window, on a company's behalf). */
export async function prepareChecked(deps: PrepareDeps, body: Record<string, unknown>): Promise<PreparedBooking> {
  const { db, availability, clock } = deps;
  const service = await activeService(deps, typeof body.service === 'string' ? body.service : '');
  const kind = service.bookingKind;
  const nodeId = typeof body.node === 'string' && /^\d{1,9}$/.test(body.node) ? Number(body.node) : NaN;
  const ns = Number.isNaN(nodeId) ? undefined : await findNodeService(db, nodeId, service.id);
  const node = ns ? await findNode(db, ns.nodeId) : undefined;
  const errors: Record<string, string> = {};
  if (!ns || !ns.active || !node?.active) errors.node = '请选择提供该服务的网点';

  let v: KindInput | undefined;
  try {
    v = parseKind(kind, body);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    // The reference rules too, as far as the form can be read: every message in one answer (the form's own win).
    if (kind === 'oil_test') Object.assign(errors, await oilChoiceErrors(deps, service, body, shanghaiDate(clock.now())));
    Object.assign(errors, err.fieldErrors);
  }
  if (!v || !ns || !ns.active || !node?.active) throw new ValidationError(errors);

  const details =
    kind === 'calibration'
      ? calibrationDetails(service, v as CalibrationInput)
      : kind === 'oil_test'
        ? await oilDetails(deps, service, v as OilTestInput, shanghaiDate(clock.now()))
        : consultationDetails(service, v as ConsultationInput);
  Object.assign(errors, details.errors);

  const ref: NodeServiceRef = { ns, kind };
  const window = await availability.check(ref, v.slot.date, v.slot.window);
  if (!window) errors.slot = '请选择有效的预约时段';
  else if (window.unavailable && window.unavailable !== 'full') errors.slot = `所选时段不可预约：${UNAVAILABLE_MESSAGES[window.unavailable]}`;
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  if (window && window.free < details.units) await refuseFull(deps, ref, window, details.units);

  const urgent = body.urgent === '1' || body.urgent === 'on';
  const feeQuery: FeeQuery = { kind, serviceCode: service.code, serviceName: service.name, ...details.fee, urgent };
  const prices = await pricesInForce(db, priceTargets(feeQuery), shanghaiDate(clock.now()), ns.nodeId);
  const fee = estimateFee(feeQuery, prices);

  return {
    kind,
    service,
    nodeId: ns.nodeId,
    nodeName: node.name,
    ref,
    date: v.slot.date,
    window: v.slot.window,
    windowCapacity: window?.capacity ?? 0,
    units: details.units,
    deliveryMode: details.deliveryMode,
    onsiteAddress: details.onsiteAddress,
    contactName: v.contactName,
    contactMobile: v.contactMobile,
    remarks: v.remarks,
    idempotencyKey: v.idempotencyKey,
    items: details.items,
    summary: [{ label: '办理网点', value: node.name }, { label: '预约时段', value: describeWindow(v.slot.date, v.slot.window) }, ...details.summary, ...(kind === 'oil_test' && body.bilingual === '1' ? [{ label: '报告语言', value: '中英文双语' }] : [])],
    fee,
    urgent: urgent && fee.lines.some((l) => l.label.startsWith('加急')),
    bilingualReport: kind === 'oil_test' && body.bilingual === '1',
  };
}
