import { assertCan, type Principal } from '../auth/access.js';
import { listNodes } from '../catalog/catalog.repo.js';
import type { Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { notifyEnterpriseUsers, notifyNodeStaff, notifyUsers } from '../notifications/notifications.repo.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import { equipmentSchema, reviewSchema } from './equipment.schemas.js';
import * as repo from './equipment.repo.js';
import { equipmentHref, manageHref } from './equipment.view.js';
import { columnsOf, withCodeCheck } from './manage.js';

/**
 * Instruments companies offer for sharing: the company describes the instrument, its rates and hours and picks the
 * node that will run its bookings (approval, check-in, billing); the platform reviews the offer before it is listed.
 */
export function makeOffers(deps: { db: Db }) {
  const { db } = deps;

  return {
    nodes: async () => (await listNodes(db)).filter((n) => n.active),
    mine: (user: Principal) => {
      assertCan(user, 'equipment.offer');
      return repo.offersOf(db, user.enterpriseId);
    },

    async offer(user: Principal, input: unknown): Promise<string> {
      assertCan(user, 'equipment.offer');
      const v = parseInput(equipmentSchema, input);
      const node = (await listNodes(db)).find((n) => n.id === v.nodeId && n.active);
      if (!node) throw new ValidationError({ nodeId: '请选择托管网点' });
      const admins = await repo.platformAdminIds(db);
      await withCodeCheck(() =>
        inTransaction(db, async (tx) => {
          const id = await repo.insertEquipment(tx, { ...columnsOf(v), nodeId: node.id, ownerEnterpriseId: user.enterpriseId, review: 'pending', status: 'available', autoApprove: false });
          await recordEvent(tx, { actorUserId: user.id, entityType: 'equipment', entityId: id, action: 'equipment.offered', note: `企业提供共享设备 ${v.name}（${v.code}），托管网点 ${node.name}`, data: { nodeId: node.id } });
          await notifyUsers(tx, admins, { bookingId: null, title: '新的企业共享设备待审核', body: `${v.name}（${v.code}），托管网点 ${node.name}。`, link: manageHref(id) });
        }),
      );
      return v.name;
    },

    /** The platform approves an offer (listed from then on) or refuses it with a reason; the company is told. */
    async review(user: Principal, id: number, input: unknown): Promise<'approve' | 'reject'> {
      assertCan(user, 'equipment.review');
      const eq = await repo.findEquipment(db, id);
      if (!eq?.ownerEnterpriseId) throw new NotFoundError('该设备不存在。');
      if (eq.review !== 'pending') throw new ConflictError('该设备已审核。');
      const v = parseInput(reviewSchema, input);
      await inTransaction(db, async (tx) => {
        await repo.updateEquipment(tx, id, { review: v.decision === 'approve' ? 'approved' : 'rejected', ...(v.decision === 'reject' ? { statusNote: v.note } : {}) });
        await recordEvent(tx, { actorUserId: user.id, entityType: 'equipment', entityId: id, action: `equipment.review_${v.decision}`, note: v.note || null });
        const message = v.decision === 'approve' ? `贵单位提供的 ${eq.name} 已通过平台审核并公开，可接受预约，由${eq.nodeName}代为管理。` : `贵单位提供的 ${eq.name} 未通过平台审核。意见：${v.note}`;
        await notifyEnterpriseUsers(tx, eq.ownerEnterpriseId!, { bookingId: null, title: `共享设备审核：${v.decision === 'approve' ? '已通过' : '未通过'}`, body: message, link: v.decision === 'approve' ? equipmentHref(id) : '/equipment/offer' });
        if (v.decision === 'approve') await notifyNodeStaff(tx, eq.nodeId, { bookingId: null, title: '托管的企业共享设备已上线', body: `${eq.ownerName} 提供的 ${eq.name} 已公开，预约由本网点审批和结算。`, link: manageHref(id) });
      });
      return v.decision;
    },
  };
}

export type Offers = ReturnType<typeof makeOffers>;
