import { Router } from 'express';
import { flash } from '../http/flash.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam, pageParam } from '../http/params.js';
import type { NotificationsService } from './notifications.service.js';
import { notificationsHref, notificationsPage } from './notifications.view.js';

export function notificationsRoutes(notifications: NotificationsService): Router {
  const router = Router();
  const signedIn = requireAction('notification.read');

  router.get('/notifications', signedIn, async (req, res) => {
    const unreadOnly = req.query.unread === '1';
    const result = await notifications.list(currentUser(req), pageParam(req.query.page), unreadOnly);
    res.render('notifications/list', notificationsPage(result, unreadOnly));
  });

  // Following a message's link changes nothing (a GET may be prefetched or replayed); the list marks it read by POST.
  router.get('/notifications/:id', signedIn, async (req, res) => {
    res.redirect(await notifications.open(currentUser(req), idParam(req.params.id)));
  });

  router.post('/notifications/:id/read', signedIn, async (req, res) => {
    res.redirect(303, await notifications.read(currentUser(req), idParam(req.params.id)));
  });

  router.post('/notifications/read-all', signedIn, async (req, res) => {
    await notifications.markAllRead(currentUser(req));
    flash(req, 'success', '已全部标记为已读。');
    res.redirect(303, notificationsHref());
  });

  return router;
}
