import { assertCan, type Principal } from '../auth/access.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import { serviceSchema } from './admin.schemas.js';
import { auditChange, changeNetwork, type NetworkDeps } from './context.js';
import * as repo from './network.repo.js';

/** Validates a service form; an existing service keeps its booking kind (its bookings depend on it). */
async function checkService(deps: NetworkDeps, input: unknown, existing?: repo.ServiceRowFull) {
  const raw = existing && input && typeof input === 'object' ? { ...input, bookingKind: existing.bookingKind } : input;
  const v = parseInput(serviceSchema, raw);
  const refs = await repo.referenceLists(deps.db);
  const errors: Record<string, string> = {};
  if (!refs.categories.some((c) => c.code === v.categoryCode)) errors.categoryCode = '请选择有效的服务类别';
  if (v.instrumentCategoryCode && !refs.instruments.some((c) => c.code === v.instrumentCategoryCode)) errors.instrumentCategoryCode = '请选择有效的器具类别';
  if (v.bookingKind === 'calibration' && !v.instrumentCategoryCode) errors.instrumentCategoryCode = '检定/校准服务须选择器具类别';
  if (!existing && v.bookingKind === 'oil_test') errors.bookingKind = '油品检测服务涉及牌号和限值，请通过参考数据（种子文件）配置';
  if (await repo.serviceCodeTaken(deps.db, v.code, existing?.id)) errors.code = '服务编号已被使用';
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return v;
}

async function existingService(deps: NetworkDeps, id: number) {
  const service = await repo.findServiceRow(deps.db, id);
  if (!service) throw new NotFoundError('该服务不存在。');
  return service;
}

export function listServices(deps: NetworkDeps, user: Principal) {
  assertCan(user, 'catalog.manage');
  return repo.listServicesForAdmin(deps.db);
}

/** The service form's choices, and the service itself when editing. */
export async function serviceForm(deps: NetworkDeps, user: Principal, id?: number) {
  assertCan(user, 'catalog.manage');
  const refs = await repo.referenceLists(deps.db);
  return { refs, service: id === undefined ? undefined : await existingService(deps, id) };
}

export async function createService(deps: NetworkDeps, user: Principal, input: unknown) {
  assertCan(user, 'catalog.manage');
  const v = await checkService(deps, input);
  return changeNetwork(deps, async (tx) => {
    const row = await repo.insertService(tx, { ...v, instrumentCategoryCode: v.instrumentCategoryCode || null, sortOrder: 500 });
    await auditChange(tx, user, 'service', row.id, 'service.created', null, row);
    return row;
  });
}

/** Saves a service's description; its booking kind never changes, a cleared instrument category keeps the old one. */
export async function updateService(deps: NetworkDeps, user: Principal, id: number, input: unknown) {
  assertCan(user, 'catalog.manage');
  const before = await existingService(deps, id);
  const { bookingKind: _kept, ...v } = await checkService(deps, input, before);
  return changeNetwork(deps, async (tx) => {
    const after = await repo.updateService(tx, id, { ...v, instrumentCategoryCode: v.instrumentCategoryCode || before.instrumentCategoryCode });
    await auditChange(tx, user, 'service', id, 'service.updated', before, after);
    return after;
  });
}

/** Taking a service offline stops new bookings; bookings already made go on. */
export async function setServiceActive(deps: NetworkDeps, user: Principal, id: number, active: boolean) {
  assertCan(user, 'catalog.manage');
  const before = await existingService(deps, id);
  await changeNetwork(deps, async (tx) => {
    const after = await repo.updateService(tx, id, { active });
    await auditChange(tx, user, 'service', id, active ? 'service.activated' : 'service.deactivated', { active: before.active }, { active: after.active });
  });
}
