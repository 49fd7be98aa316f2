import { assertCan, type Principal } from '../auth/access.js';
import { describeWindow, type BookingKind, type NodeServiceRef } from '../capacity/availability.js';
import { activeNodeServicesOf } from '../capacity/capacity.repo.js';
import { nodesOfferingService } from '../catalog/catalog.repo.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { findEnterpriseById } from '../enterprises/enterprises.repo.js';
import { recordEvent } from '../events/record.js';
import { nextDailySequence } from '../bookings/bookings.repo.js';
import { formatBookingNumber } from '../bookings/booking-number.js';
import { insertPreparedBooking, WindowTakenMeanwhile } from '../bookings/create.js';
import { activeService, oilReference } from '../bookings/form.js';
import { prepareBooking, type PreparedBooking } from '../bookings/prepare.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { shanghaiDate } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './chains.repo.js';
import { chainFormSchema } from './chains.schemas.js';
import type { ChainsDeps } from './context.js';
import { parseIntArray } from './sequencing.js';
import { stepBody, stepDetails, stepErrors } from './step-form.js';

export const CHAIN_PREFIX = 'YJS';

export type BundleStep = Awaited<ReturnType<typeof repo.stepsOfBundle>>[number];

export interface NodeChoice {
  id: number;
  name: string;
  windows: { value: string; label: string }[];
}

export interface StepPlan {
  position: number;
  title: string;
  serviceCode: string;
  serviceName: string;
  kind: BookingKind;
  dependsOn: number[];
  turnaroundDays: number;
  deliveryModes: string[];
  nodes: NodeChoice[];
  /** Why nobody can do this step now (no node offers the service any more), else null. */
  impossible: string | null;
  oil?: Awaited<ReturnType<typeof oilReference>>;
}

/** The bundle a company can file now: the current version, active. */
export async function bundleForFiling(deps: Pick<ChainsDeps, 'db'>, code: string): Promise<repo.BundleRow> {
  const bundle = /^[A-Z][A-Z0-9-]{2,29}$/.test(code) ? await repo.findCurrentBundle(deps.db, code) : undefined;
  if (!bundle || !bundle.active) throw new NotFoundError('该一件事套餐不存在或已停办。');
  return bundle;
}

const impossibleMessage = (s: Pick<BundleStep, 'position' | 'title' | 'serviceName'>) =>
  `第 ${s.position} 步“${s.title}”（${s.serviceName}）目前没有网点提供，本事项暂不能办理，请联系平台协调人。`;

/** Nodes that can do a step now with their next free windows. */
export async function nodeChoices(deps: ChainsDeps, serviceId: number, kind: BookingKind, count = 6): Promise<{ choices: NodeChoice[]; refs: Map<number, NodeServiceRef> }> {
  const [offering, rows] = await Promise.all([nodesOfferingService(deps.db, serviceId), activeNodeServicesOf(deps.db, serviceId)]);
  const refs = new Map<number, NodeServiceRef>();
  for (const r of rows) if (offering.some((n) => n.id === r.ns.nodeId)) refs.set(r.ns.nodeId, { ns: r.ns, kind });
  const free = refs.size ? await deps.availability.nextFree([...refs.values()], count) : new Map();
  const choices = offering
    .filter((n) => refs.has(n.id))
    .map((n) => ({
      id: n.id,
      name: n.name,
      windows: ((free.get(refs.get(n.id)!.ns.id) ?? []) as { date: string; key: string }[]).map((w) => ({ value: `${w.date}|${w.key}`, label: describeWindow(w.date, w.key) })),
    }));
  return { choices, refs };
}

/** What /chains/new shows: every step, the nodes that can do it and their earliest windows. */
export async function planChain(deps: ChainsDeps, user: Principal, code: string) {
  assertCan(user, 'chain.create');
  const bundle = await bundleForFiling(deps, code);
  const plans = await planSteps(deps, await repo.stepsOfBundle(deps.db, bundle.id));
  return { bundle, steps: plans, impossible: plans.find((p) => p.impossible)?.impossible ?? null };
}

/** Each step's nodes and earliest windows (a chain's, or the services an expert proposed for a need). */
export async function planSteps(deps: ChainsDeps, steps: BundleStep[]): Promise<StepPlan[]> {
  const plans: StepPlan[] = [];
  for (const s of steps) {
    const { choices } = s.serviceActive ? await nodeChoices(deps, s.serviceId, s.kind) : { choices: [] };
    const service = s.serviceActive ? await activeService(deps, s.serviceCode) : undefined;
    plans.push({
      position: s.position,
      title: s.title,
      serviceCode: s.serviceCode,
      serviceName: s.serviceName,
      kind: s.kind,
      dependsOn: parseIntArray(s.dependsOn),
      turnaroundDays: s.turnaroundDays,
      deliveryModes: service?.deliveryModes ?? [],
      nodes: choices,
      impossible: choices.length === 0 ? impossibleMessage(s) : null,
      ...(service && s.kind === 'oil_test' ? { oil: await oilReference(deps, service) } : {}),
    });
  }
  return plans;
}

export interface StepDecision {
  step: BundleStep;
  nodeId: number;
  later: boolean;
  details: Record<string, unknown>;
  prepared?: PreparedBooking;
}

/** A step's window became full between the check and the take: the whole chain rolls back. */
export class StepWindowTaken extends Error {
  constructor(readonly step: BundleStep) {
    super('step window taken');
  }
}

/** The message of a step whose window filled meanwhile (nothing was saved). */
export function stepWindowFull(err: StepWindowTaken, nothingSaved: string): ConflictError {
  return new ConflictError(`第 ${err.step.position} 步“${err.step.title}”所选时段刚刚约满，${nothingSaved}。请为该环节改选时段后重新提交。`, 'window_full', { position: err.step.position });
}

/** Valid contact fields, used only to check the steps while the form's own are wrong. */
const CONTACT_STAND_IN = { contactName: '联系人', contactMobile: '13800000000', description: '' };

/** Checks every step (node, window, details, order) through the booking code's own checks; no writes. */
export async function decideSteps(deps: ChainsDeps, user: Principal, body: Record<string, unknown>, steps: BundleStep[], key: string, common: { contactName: string; contactMobile: string; description: string } | undefined, errors: Record<string, string>) {
  const decisions: StepDecision[] = [];
  for (const s of steps) {
    const offering = s.serviceActive ? await nodesOfferingService(deps.db, s.serviceId) : [];
    if (offering.length === 0) throw new ConflictError(impossibleMessage(s), 'step_impossible');
    const p = s.position;
    const dependsOn = parseIntArray(s.dependsOn);
    // A window is offered under its node ("<node>@<date>|<window>"): one listed under another node than the one chosen
    // would otherwise be booked silently at the chosen node.
    const picked = typeof body[`s${p}_slot`] === 'string' ? (body[`s${p}_slot`] as string) : '';
    const tagged = /^(\d{1,9})@(.+)$/.exec(picked);
    const slot = tagged ? tagged[2]! : picked;
    const after = decisions.filter((d) => dependsOn.includes(d.step.position));
    const later = dependsOn.length > 0 && (slot === 'later' || after.some((d) => d.later));
    const nodeRaw = typeof body[`s${p}_node`] === 'string' && body[`s${p}_node`] !== '' ? Number(body[`s${p}_node`]) : tagged ? Number(tagged[1]) : NaN;
    const node = offering.find((n) => n.id === nodeRaw);
    if (!node) errors[`s${p}_node`] = `第 ${p} 步：请选择提供该服务的网点`;
    else if (tagged && Number(tagged[1]) !== node.id) {
      const other = offering.find((n) => n.id === Number(tagged[1]));
      errors[`s${p}_slot`] = `第 ${p} 步：所选时段属于“${other?.name ?? '其他网点'}”，与办理网点“${node.name}”不一致，请在所选网点下选择时段`;
    }
    if (slot === 'later' && dependsOn.length === 0) errors[`s${p}_slot`] = `第 ${p} 步没有前序环节，请选择预约时段`;
    const service = await activeService(deps, s.serviceCode);
    const details = stepDetails(service, body, p, common);
    const decision: StepDecision = { step: s, nodeId: node?.id ?? 0, later, details };
    decisions.push(decision);
    if (later || !node || errors[`s${p}_slot`]) continue;
    try {
      // With the contact fields still wrong (their own messages are already given) the step is checked with stand-ins,
      // so that every message of the form comes in one round; nothing is filed then.
      decision.prepared = await prepareBooking(deps, user, stepBody(service.code, node.id, slot, `${key}-s${p}`, details, common ?? CONTACT_STAND_IN));
    } catch (err) {
      if (err instanceof ValidationError) Object.assign(errors, stepErrors(p, err.fieldErrors));
      else if (err instanceof ConflictError) errors[`s${p}_slot`] = `第 ${p} 步：${err.message}`;
      else throw err;
      continue;
    }
    const early = after.find((d) => d.prepared && d.prepared.date >= decision.prepared!.date);
    if (early) errors[`s${p}_slot`] = `第 ${p} 步须在第 ${early.step.position} 步之后办理：请选择晚于 ${early.prepared!.date} 的时段，或选择“待前序完成后安排”`;
  }
  return decisions;
}

/**
 * Files a whole-chain request: every step checked through the booking code, then ONE transaction numbers the chain
 * and books every step that has a window (capacity taken under the booking code's lock). If any window fills
 * meanwhile nothing is saved and the message names the step. Steps after a deferred one wait for it (待前序完成).
 */
export async function fileChain(deps: ChainsDeps, user: Principal, body: Record<string, unknown>): Promise<{ number: string; duplicate: boolean }> {
  assertCan(user, 'chain.create');
  const { db, clock } = deps;
  const bundle = await bundleForFiling(deps, typeof body.bundle === 'string' ? body.bundle : '');
  const key = typeof body.idempotencyKey === 'string' ? body.idempotencyKey : '';
  const existing = /^[A-Za-z0-9_-]{16,60}$/.test(key) ? await repo.findChainNumberByKey(db, user.enterpriseId, key) : undefined;
  if (existing) return { number: existing, duplicate: true };
  const errors: Record<string, string> = {};
  let common: { contactName: string; contactMobile: string; description: string } | undefined;
  try {
    common = parseInput(chainFormSchema, body);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    Object.assign(errors, err.fieldErrors);
  }
  if (key.length > 60) errors.idempotencyKey = '页面已失效，请刷新后重新填写';
  const steps = await repo.stepsOfBundle(db, bundle.id);
  const decisions = await decideSteps(deps, user, body, steps, key, common, errors);
  if (Object.keys(errors).length > 0 || !common) throw new ValidationError(errors);
  const company = await findEnterpriseById(db, user.enterpriseId);
  try {
    const number = await inTransaction(db, async (tx) => {
      const day = shanghaiDate(clock.now());
      const number = formatBookingNumber(CHAIN_PREFIX, day, await nextDailySequence(tx, CHAIN_PREFIX, day));
      const owner = { enterpriseId: user.enterpriseId, parkId: company?.parkId ?? null, createdBy: user.id };
      const stepRows: repo.NewChainStep[] = [];
      for (const d of decisions) {
        let bookingId: number | null = null;
        if (d.prepared) {
          try {
            bookingId = (await insertPreparedBooking(tx, clock, { ...d.prepared, remarks: `一件事 ${number} 第 ${d.step.position} 步：${d.step.title}` }, owner, { attachments: [] })).id;
          } catch (err) {
            throw err instanceof WindowTakenMeanwhile ? new StepWindowTaken(d.step) : err;
          }
        }
        stepRows.push({ position: d.step.position, title: d.step.title, serviceId: d.step.serviceId, nodeId: d.nodeId, dependsOn: parseIntArray(d.step.dependsOn), state: bookingId ? 'booked' : 'waiting', bookingId, details: d.details });
      }
      const chainId = await repo.insertChain(tx, { number, bundleId: bundle.id, enterpriseId: user.enterpriseId, parkId: company?.parkId ?? null, createdBy: user.id, idempotencyKey: key, ...common!, createdAt: clock.now() }, stepRows);
      await recordEvent(tx, { actorUserId: user.id, entityType: 'chain', entityId: chainId, action: 'chain.submitted', toState: 'open', data: { number, bundle: bundle.code, version: bundle.version, booked: stepRows.filter((s) => s.bookingId).length } });
      return number;
    });
    return { number, duplicate: false };
  } catch (err) {
    if (err instanceof StepWindowTaken) throw stepWindowFull(err, '整个申请未提交，各环节均未预约');
    if (pgErrorCode(err) === UNIQUE_VIOLATION && (pgConstraint(err) ?? '').includes('idempotency')) {
      const first = await repo.findChainNumberByKey(db, user.enterpriseId, key);
      if (first) return { number: first, duplicate: true };
    }
    throw err;
  }
}
