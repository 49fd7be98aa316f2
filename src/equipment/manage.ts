import { assertCan, can, inScope, roleMay, type Principal } from '../auth/access.js';
import { listNodes } from '../catalog/catalog.repo.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION, type Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import { checkFile } from '../uploads/file-check.js';
import type { DocumentStore } from '../uploads/storage.js';
import type { UploadedFile } from '../uploads/purposes.js';
import { MODES, USER_CATEGORIES, type Mode } from './domain.js';
import { equipmentSchema, lines, parseSpecs, type EquipmentInput } from './equipment.schemas.js';
import * as repo from './equipment.repo.js';
import type { EquipmentRates } from '../db/schema.js';

const PHOTO_TYPES = new Set(['image/jpeg', 'image/png']);

/** The form's values as the instrument's columns (rates in cents; a mode not offered has no rates). */
export function columnsOf(v: EquipmentInput): Omit<repo.NewEquipment, 'nodeId'> {
  const modes = MODES.filter((m) => (m === 'self' ? v.modeSelf : v.modeAssisted));
  const rates: EquipmentRates = {};
  for (const c of USER_CATEGORIES) {
    for (const m of modes) {
      const text = v[`rate_${c}_${m}`];
      if (text !== '') (rates[c] ??= {})[m] = Math.round(Number(text) * 100);
    }
  }
  return {
    code: v.code.toUpperCase(),
    name: v.name,
    category: v.category,
    model: v.model,
    maker: v.maker,
    location: v.location,
    specs: parseSpecs(v.specs),
    methods: lines(v.methods),
    description: v.description,
    modes,
    rates,
    openFrom: v.openFrom,
    openUntil: v.openUntil,
    minNoticeHours: v.minNoticeHours,
    maxHours: v.maxHours,
    horizonDays: v.horizonDays,
    noShowMinutes: v.noShowMinutes,
    billing: v.billing,
    autoApprove: v.autoApprove,
    status: v.status,
    statusNote: v.statusNote,
  };
}

/** An instrument's columns as the form shows them (for editing). */
export function formValuesOf(e: repo.EquipmentRow): Record<string, unknown> {
  const values: Record<string, unknown> = {
    ...e,
    nodeId: String(e.nodeId),
    specs: e.specs.map((s) => (s.label ? `${s.label}：${s.value}` : s.value)).join('\n'),
    methods: e.methods.join('\n'),
    modeSelf: e.modes.includes('self') ? 'on' : '',
    modeAssisted: e.modes.includes('assisted') ? 'on' : '',
    autoApprove: e.autoApprove ? 'on' : '',
  };
  for (const c of USER_CATEGORIES) {
    for (const m of MODES) {
      const cents = e.rates[c]?.[m as Mode];
      values[`rate_${c}_${m}`] = cents === undefined ? '' : (cents / 100).toFixed(2).replace(/\.00$/, '');
    }
  }
  return values;
}

/** Runs a write of an instrument; a taken asset number becomes a message at its field. */
export async function withCodeCheck<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (pgErrorCode(err) === UNIQUE_VIOLATION && pgConstraint(err) === 'equipment_code_unique') throw new ValidationError({ code: '该资产编号已被其他设备使用' });
    throw err;
  }
}

export const NEW_EQUIPMENT_DEFAULTS = { openFrom: '08:30', openUntil: '17:00', minNoticeHours: '24', maxHours: '8', horizonDays: '30', noShowMinutes: '30', billing: 'actual', status: 'available', modeAssisted: 'on' };

export function makeManage(deps: { db: Db; storage: DocumentStore }) {
  const { db, storage } = deps;

  /** The node the instrument belongs to: a node manager's own; the platform picks one. */
  async function nodeFor(user: Principal, v: EquipmentInput): Promise<number> {
    if (user.role === 'node_manager') return user.nodeId;
    if (!v.nodeId || !(await listNodes(db)).some((n) => n.id === v.nodeId)) throw new ValidationError({ nodeId: '请选择所属网点' });
    return v.nodeId;
  }

  /** An instrument the user may manage or operate (404 outside the node). */
  async function managed(user: Principal, id: number) {
    const eq = await repo.findEquipment(db, id);
    if (!eq) throw new NotFoundError('该设备不存在。');
    if (!roleMay(user, 'equipment.manage') && !roleMay(user, 'equipment.operate')) throw new ForbiddenError();
    if (!inScope(user, { nodeId: eq.nodeId })) throw new NotFoundError('该设备不存在。');
    return eq;
  }

  return {
    managed,

    async list(user: Principal) {
      if (can(user, 'equipment.manage') || can(user, 'equipment.operate')) return repo.listManagedEquipment(db, user.role === 'platform_admin' ? null : user.nodeId);
      throw new ForbiddenError();
    },

    nodes: () => listNodes(db),

    async create(user: Principal, input: unknown): Promise<number> {
      assertCan(user, 'equipment.manage');
      const v = parseInput(equipmentSchema, input);
      const nodeId = await nodeFor(user, v);
      return withCodeCheck(() =>
        inTransaction(db, async (tx) => {
          const id = await repo.insertEquipment(tx, { ...columnsOf(v), nodeId });
          await recordEvent(tx, { actorUserId: user.id, entityType: 'equipment', entityId: id, action: 'equipment.created', note: `新增共享设备 ${v.name}（${v.code}）`, data: { nodeId } });
          return id;
        }),
      );
    },

    async update(user: Principal, id: number, input: unknown): Promise<void> {
      const before = await repo.findEquipment(db, id);
      if (!before) throw new NotFoundError('该设备不存在。');
      assertCan(user, 'equipment.manage', { nodeId: before.nodeId });
      const v = parseInput(equipmentSchema, input);
      const nodeId = user.role === 'platform_admin' ? await nodeFor(user, v) : before.nodeId;
      const after = { ...columnsOf(v), nodeId };
      await withCodeCheck(() =>
        inTransaction(db, async (tx) => {
          await repo.updateEquipment(tx, id, after);
          const changed = Object.keys(after).filter((k) => JSON.stringify(after[k as keyof typeof after]) !== JSON.stringify(before[k as keyof typeof before]));
          await recordEvent(tx, { actorUserId: user.id, entityType: 'equipment', entityId: id, action: 'equipment.updated', note: `修改共享设备 ${v.name}`, data: { changed, before: Object.fromEntries(changed.map((k) => [k, before[k as keyof typeof before]])) } });
        }),
      );
    },

    /** A photo of the instrument (JPG or PNG, judged by content); the old file is removed once the new one is saved. */
    async setPhoto(user: Principal, id: number, files: UploadedFile[]): Promise<void> {
      const eq = await repo.findEquipment(db, id);
      if (!eq) throw new NotFoundError('该设备不存在。');
      assertCan(user, 'equipment.manage', { nodeId: eq.nodeId });
      const file = files[0];
      if (!file || files.length > 1) throw new ValidationError({ photo: '请选择一张设备照片（JPG 或 PNG）' });
      const check = await checkFile(file);
      if (!check.ok) throw new ValidationError({ photo: check.message });
      if (!PHOTO_TYPES.has(check.mimeType)) throw new ValidationError({ photo: '设备照片须为 JPG 或 PNG 图片' });
      const saved = await storage.save(file.buffer);
      try {
        await inTransaction(db, async (tx) => {
          await repo.updateEquipment(tx, id, { photoName: saved.storedName, photoMime: check.mimeType });
          await recordEvent(tx, { actorUserId: user.id, entityType: 'equipment', entityId: id, action: 'equipment.photo', note: `更新设备照片（${check.safeName}）`, data: { sha256: saved.sha256 } });
        });
      } catch (err) {
        await storage.remove([saved.storedName]);
        throw err;
      }
      if (eq.photoName) await storage.remove([eq.photoName]).catch(() => undefined);
    },

    /** The stored photo of a listed instrument, or undefined. */
    async photo(id: number) {
      const eq = await repo.findEquipment(db, id);
      if (!eq?.photoName || eq.review !== 'approved') return undefined;
      const content = await storage.read(eq.photoName);
      return content && { storedName: eq.photoName, content, mimeType: eq.photoMime ?? 'image/jpeg' };
    },
  };
}

export type Manage = ReturnType<typeof makeManage>;
