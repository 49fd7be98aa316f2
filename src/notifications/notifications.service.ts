import { assertCan, type Principal } from '../auth/access.js';
import type { Db } from '../db/client.js';
import { NotFoundError } from '../shared/errors.js';
import { safeNextPath } from '../shared/safe-path.js';
import * as repo from './notifications.repo.js';
import { notificationsHref } from './notifications.view.js';

const PAGE_SIZE = 20;

export function makeNotificationsService(db: Db) {
  return {
    async list(user: Principal, page: number, unreadOnly: boolean) {
      assertCan(user, 'notification.read');
      const { rows, total } = await repo.listForUser(db, user.id, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, unreadOnly });
      return { rows, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
    },

    /** Where a message leads (a GET: nothing changes). Another user's message does not exist. */
    async open(user: Principal, id: number): Promise<string> {
      const n = await repo.findForUser(db, user.id, id);
      if (!n) throw new NotFoundError('该消息不存在。');
      return safeNextPath(n.link) ?? '/notifications';
    },

    /** Opening a message from the list (a POST): marks it read and leads to what it is about. */
    async read(user: Principal, id: number): Promise<string> {
      const n = await repo.findForUser(db, user.id, id);
      if (!n) throw new NotFoundError('该消息不存在。');
      if (!n.readAt) await repo.markRead(db, user.id, [id]);
      return safeNextPath(n.link) ?? notificationsHref();
    },

    markAllRead: (user: Principal) => repo.markRead(db, user.id, 'all'),
  };
}

export type NotificationsService = ReturnType<typeof makeNotificationsService>;
