import { Router } from 'express';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam } from '../http/params.js';
import type { EnterprisesService } from './enterprises.service.js';
import { profilePage } from './enterprises.view.js';

export function enterprisesRoutes(enterprises: EnterprisesService): Router {
  const router = Router();

  router.get('/enterprises/:id', requireAction('enterprise.read'), async (req, res) => {
    res.render('enterprises/profile', profilePage(await enterprises.profile(currentUser(req), idParam(req.params.id))));
  });

  return router;
}
