import { Router, type NextFunction, type Request, type Response } from 'express';
import { flash } from '../http/flash.js';
import { formAction, formBody, refusalAsMessage } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { NotFoundError } from '../shared/errors.js';
import type { CalendarService } from './calendar.service.js';
import { calendarHref } from './calendar.view.js';

function yearParam(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{4}$/.test(value)) throw new NotFoundError('该年份不存在。');
  return Number(value);
}

/**
 * The platform admin's holiday calendar: a year's official arrangement pasted from the State Council notice,
 * previewed, saved (overriding the calendar package for that year) or withdrawn. Also holds every request until the
 * entered arrangements are in memory, so no page is ever computed with a calendar that is still loading.
 */
export function calendarRoutes(calendar: CalendarService): Router {
  const router = Router();
  const admins = requireAction('calendar.manage');

  router.use((_req: Request, _res: Response, next: NextFunction) => {
    calendar.ready.then(() => next(), next);
  });

  async function render(req: Request, res: Response, status: number, year: number | undefined, extra: Record<string, unknown> = {}) {
    const page = await calendar.yearPage(currentUser(req), year);
    res.status(status).render('calendar/admin', { title: `节假日安排 ${page.year} 年`, ...page, values: { year: page.year, text: page.text, source: page.entry?.source ?? '' }, errors: {}, preview: null, ...extra });
  }

  router.get('/admin/calendar', admins, (req, res) => render(req, res, 200, yearParam(req.query.year)));

  router.post(
    '/admin/calendar',
    admins,
    formAction(
      async (req, res) => {
        const user = currentUser(req);
        const body = formBody(req);
        if (body.intent === 'save') {
          const saved = await calendar.save(user, body);
          flash(req, 'success', `${saved.year} 年放假安排已保存：放假 ${saved.holidays} 天，调休上班 ${saved.workdays} 天。此后该年的工作日按此计算，不再标“预计”。`);
          return res.redirect(303, calendarHref(saved.year));
        }
        const preview = await calendar.preview(user, body);
        await render(req, res, 200, preview.year, { preview, values: body });
      },
      (req, res, r) => {
        const body = formBody(req);
        const year = typeof body.year === 'string' && /^\d{4}$/.test(body.year) ? Number(body.year) : undefined;
        return render(req, res, r.status, year, { errors: r.errors, formError: r.formError, values: r.values }).catch(() => render(req, res, r.status, undefined, { errors: r.errors, formError: r.formError, values: r.values }));
      },
    ),
  );

  router.post(
    '/admin/calendar/:year/remove',
    admins,
    formAction(
      async (req, res) => {
        const year = yearParam(req.params.year);
        if (year === undefined) throw new NotFoundError();
        await calendar.remove(currentUser(req), year);
        flash(req, 'success', `已撤回 ${year} 年录入的放假安排。`);
        res.redirect(303, calendarHref(year));
      },
      refusalAsMessage('warning', (req) => calendarHref(Number(req.params.year))),
    ),
  );

  return router;
}
