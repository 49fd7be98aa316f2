import { assertCan, type Principal } from '../auth/access.js';
import type { Executor } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './chains.repo.js';
import { bundleFormSchema, bundleStepSchema, MAX_BUNDLE_STEPS } from './chains.schemas.js';
import type { ChainsDeps } from './context.js';
import { parseIntArray } from './sequencing.js';

export interface BundleStepInput {
  title: string;
  serviceCode: string;
  dependsOn: number[];
}

/** Bundles with their steps, for the admin list and the companies' choice. */
export async function listBundles(deps: Pick<ChainsDeps, 'db'>, opts: { activeOnly: boolean }) {
  const rows = await repo.listCurrentBundles(deps.db, opts);
  return Promise.all(rows.map(async (b) => ({ ...b, steps: (await repo.stepsOfBundle(deps.db, b.id)).map((s) => ({ ...s, dependsOn: parseIntArray(s.dependsOn) })) })));
}

/** The edit form of a bundle's current version (or an empty one). */
export async function bundleForm(deps: Pick<ChainsDeps, 'db'>, user: Principal, code: string | null) {
  assertCan(user, 'bundle.manage');
  const services = await repo.serviceChoices(deps.db);
  if (code === null) return { bundle: null, values: {} as Record<string, string>, services, history: [] };
  const bundle = await repo.findCurrentBundle(deps.db, code);
  if (!bundle) throw new NotFoundError('该套餐不存在。');
  const steps = await repo.stepsOfBundle(deps.db, bundle.id);
  const values: Record<string, string> = { code: bundle.code, name: bundle.name, summary: bundle.summary };
  for (const s of steps) Object.assign(values, { [`s${s.position}_title`]: s.title, [`s${s.position}_service`]: s.serviceCode, [`s${s.position}_after`]: parseIntArray(s.dependsOn).join(',') });
  return { bundle, values, services, history: await repo.bundleHistory(deps.db, code) };
}

/** The filled step rows of the form, checked: known active services, predecessors earlier in the list. */
async function parseSteps(ex: Executor, body: Record<string, unknown>, errors: Record<string, string>) {
  const rows: (BundleStepInput & { row: number })[] = [];
  for (let i = 1; i <= MAX_BUNDLE_STEPS; i++) {
    const raw = { title: body[`s${i}_title`], service: body[`s${i}_service`], after: body[`s${i}_after`] };
    const r = bundleStepSchema.safeParse(raw);
    if (!r.success) {
      errors[`s${i}_after`] = r.error.issues[0]?.message ?? '格式不正确';
      continue;
    }
    if (!r.data.title && !r.data.service) continue;
    if (!r.data.title) errors[`s${i}_title`] = '请填写环节名称';
    if (!r.data.service) errors[`s${i}_service`] = '请选择该环节的服务';
    const dependsOn = [...new Set(r.data.after.split(/[,，、]/).map((x) => x.trim()).filter(Boolean).map(Number))];
    rows.push({ row: i, title: r.data.title, serviceCode: r.data.service, dependsOn });
  }
  if (rows.length < 2 && !errors.s1_title) errors.s1_title = '一件事套餐至少包含两个环节';
  const known = new Map((await repo.servicesByCodes(ex, rows.map((r) => r.serviceCode))).map((s) => [s.code, s]));
  rows.forEach((r, index) => {
    const s = known.get(r.serviceCode);
    if (r.serviceCode && (!s || !s.active)) errors[`s${r.row}_service`] = '请选择在办的服务';
    if (r.dependsOn.some((p) => p < 1 || p > index)) errors[`s${r.row}_after`] = `前序环节只能是排在本环节之前的环节（1–${index}）`;
  });
  return rows.map((r, index) => ({ position: index + 1, title: r.title, serviceId: known.get(r.serviceCode)?.id ?? 0, dependsOn: r.dependsOn }));
}

/**
 * Saves a bundle: a new code starts at version 1; an existing code gets a new version and the old one is retired —
 * chains filed under it keep reading it, new requests use the new one.
 */
export async function saveBundle(deps: Pick<ChainsDeps, 'db'>, user: Principal, existingCode: string | null, body: Record<string, unknown>): Promise<{ code: string; version: number }> {
  assertCan(user, 'bundle.manage');
  if (existingCode !== null && !(await repo.findCurrentBundle(deps.db, existingCode))) throw new NotFoundError('该套餐不存在。');
  const errors: Record<string, string> = {};
  let head: { code: string; name: string; summary: string } | undefined;
  try {
    head = parseInput(bundleFormSchema, existingCode ? { ...body, code: existingCode } : body);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    Object.assign(errors, err.fieldErrors);
  }
  const steps = await parseSteps(deps.db, body, errors);
  const previous = head ? await repo.findCurrentBundle(deps.db, head.code) : undefined;
  if (existingCode && !previous) throw new NotFoundError('该套餐不存在。');
  if (!existingCode && previous) errors.code = '该套餐编码已存在，请修改原套餐或换一个编码';
  if (!head || Object.keys(errors).length > 0) throw new ValidationError(errors);
  const version = (previous?.version ?? 0) + 1;
  await inTransaction(deps.db, async (tx) => {
    if (previous) await repo.retireCurrent(tx, head.code);
    const id = await repo.insertBundleVersion(tx, { ...head, version, active: previous ? previous.active : true, createdBy: user.id }, steps);
    await recordEvent(tx, { actorUserId: user.id, entityType: 'bundle', entityId: id, action: previous ? 'bundle.revised' : 'bundle.created', data: { code: head.code, version, steps: steps.length } });
  });
  return { code: head.code, version };
}

/** Stops (or resumes) taking new requests under a bundle; requests already filed keep reading it. */
export async function setBundleActive(deps: Pick<ChainsDeps, 'db'>, user: Principal, code: string, active: boolean): Promise<void> {
  assertCan(user, 'bundle.manage');
  const bundle = await repo.findCurrentBundle(deps.db, code);
  if (!bundle) throw new NotFoundError('该套餐不存在。');
  await inTransaction(deps.db, async (tx) => {
    await repo.setBundleActive(tx, code, active);
    await recordEvent(tx, { actorUserId: user.id, entityType: 'bundle', entityId: bundle.id, action: active ? 'bundle.activated' : 'bundle.deactivated', data: { code } });
  });
}
