import type { Principal } from '../auth/access.js';
import { assertCan } from '../auth/access.js';
import { formatBookingNumber } from '../bookings/booking-number.js';
import { nextDailySequence } from '../bookings/bookings.repo.js';
import { EXCLUSION_VIOLATION, pgErrorCode, UNIQUE_VIOLATION, type Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { shanghaiDate, type Clock, instantOf } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import { blockSchema, trainingSchema } from './equipment.schemas.js';
import * as repo from './equipment.repo.js';
import { describeRangeShort } from './equipment.view.js';


/**
 * What the node's staff record about an instrument besides bookings: who was trained on it (机时自主使用 needs a
 * training in force), and maintenance blocks — rows of the same table as bookings, so the exclusion constraint keeps
 * them apart from every booking too.
 */
export function makeNodeRecords(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function operated(user: Principal, equipmentId: number) {
    const eq = await repo.findEquipment(db, equipmentId);
    if (!eq) throw new NotFoundError('该设备不存在。');
    assertCan(user, 'equipment.operate', { nodeId: eq.nodeId });
    return { eq, user };
  }

  return {
    trainings: (equipmentId: number) => repo.trainingsOfEquipment(db, equipmentId),
    blocks: (equipmentId: number) => repo.blocksOf(db, equipmentId, clock.now()),

    /** Records that a company user was trained on the instrument (found by mobile number). */
    async addTraining(user: Principal, equipmentId: number, input: unknown): Promise<string> {
      const { eq, user: staff } = await operated(user, equipmentId);
      const v = parseInput(trainingSchema, input);
      const person = await repo.companyUserByMobile(db, v.mobile);
      if (!person?.active) throw new ValidationError({ mobile: '没有找到使用该手机号的企业用户（请学员先在平台注册或由企业管理员添加）' });
      try {
        await inTransaction(db, async (tx) => {
          const id = await repo.insertTraining(tx, { equipmentId, userId: person.id, trainedOn: v.trainedOn, validUntil: v.validUntil || null, trainer: v.trainer, recordedBy: staff.id });
          await recordEvent(tx, { actorUserId: staff.id, entityType: 'equipment', entityId: equipmentId, action: 'equipment.training_added', note: `登记 ${person.name}（${person.enterpriseName}）的 ${eq.name} 操作培训`, data: { trainingId: id, userId: person.id, trainedOn: v.trainedOn, validUntil: v.validUntil || null } });
        });
      } catch (err) {
        if (pgErrorCode(err) === UNIQUE_VIOLATION) throw new ValidationError({ mobile: `${person.name} 已有该设备的有效培训记录；如需更新，请先撤销原记录` });
        throw err;
      }
      return person.name;
    },

    async revokeTraining(user: Principal, equipmentId: number, trainingId: number): Promise<void> {
      const { user: staff } = await operated(user, equipmentId);
      const training = await repo.findTraining(db, trainingId);
      if (!training || training.equipmentId !== equipmentId) throw new NotFoundError('该培训记录不存在。');
      await inTransaction(db, async (tx) => {
        if (!(await repo.revokeTraining(tx, trainingId, staff.id))) throw new ConflictError('该培训记录已撤销。');
        await recordEvent(tx, { actorUserId: staff.id, entityType: 'equipment', entityId: equipmentId, action: 'equipment.training_revoked', note: '撤销操作培训记录', data: { trainingId, userId: training.userId } });
      });
    },

    /** Blocks the instrument for maintenance; refused when a booking holds part of the time (with which ones). */
    async addBlock(user: Principal, equipmentId: number, input: unknown): Promise<string> {
      const { eq, user: staff } = await operated(user, equipmentId);
      const v = parseInput(blockSchema, input);
      const startsAt = instantOf(v.startDate, v.startTime);
      const endsAt = instantOf(v.endDate, v.endTime);
      const now = clock.now();
      if (endsAt <= now) throw new ValidationError({ endTime: '维护时段已经过去' });
      try {
        return await inTransaction(db, async (tx) => {
          const day = shanghaiDate(now);
          const number = formatBookingNumber('WX', day, await nextDailySequence(tx, 'WX', day));
          const id = await repo.insertEquipmentBooking(tx, { number, kind: 'maintenance', equipmentId, nodeId: eq.nodeId, startsAt, endsAt, status: 'approved', purpose: v.reason, closeReason: v.reason, createdBy: staff.id, createdAt: now });
          await recordEvent(tx, { actorUserId: staff.id, entityType: 'equipment_booking', entityId: id, action: 'equipment_booking.blocked', toState: 'approved', note: v.reason, data: { number, equipmentId } });
          return number;
        });
      } catch (err) {
        if (pgErrorCode(err) !== EXCLUSION_VIOLATION) throw err;
        const clash = (await repo.holdingRows(db, equipmentId, startsAt, endsAt)).map((r) => describeRangeShort(r.startsAt, r.endsAt));
        throw new ConflictError(`该时段与已有预约或维护冲突（${clash.join('、') || '刚被占用'}）。请先与企业协调取消相关预约，或调整维护时段。`, 'slot_taken');
      }
    },
  };
}

export type NodeRecords = ReturnType<typeof makeNodeRecords>;
