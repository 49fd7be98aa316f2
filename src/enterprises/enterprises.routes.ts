import { Router } from 'express';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam } from '../http/params.js';
import type { EnterprisesService } from './enterprises.service.js';

export function enterprisesRoutes(enterprises: EnterprisesService): Router {
  const router = Router();

  router.get('/enterprises/:id', requireAction('enterprise.read'), async (req, res) => {
    const { enterprise, colleagues } = await enterprises.profile(currentUser(req), idParam(req.params.id));
    res.render('enterprises/profile', { title: enterprise.name, enterprise, colleagues });
  });

  return router;
}
