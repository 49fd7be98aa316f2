import { Router } from 'express';
import type { LedgerService } from './ledger.service.js';

/** GET /calendar/<secret>.ics: the company's bookings and due dates for calendar apps (no session; the address is the key). */
export function calendarRoutes(deps: { ledger: LedgerService }): Router {
  const router = Router();
  router.get('/calendar/:file', async (req, res) => {
    const body = await deps.ledger.renderFeed(String(req.params.file));
    res.type('text/calendar; charset=utf-8').set({ 'Cache-Control': 'private, no-store', 'Content-Disposition': 'inline; filename="nqi-calendar.ics"' }).send(body);
  });
  return router;
}
