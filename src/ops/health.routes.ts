import { Router } from 'express';
import type { Database } from '../db/client.js';

/** GET /healthz: 200 when the database answers a query within 2 s, 503 otherwise. */
export function healthRoutes(database: Database): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      await Promise.race([
        database.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
      ]);
      res.status(200).json({ status: 'ok', database: database.driver });
    } catch {
      res.status(503).json({ status: 'unavailable', database: database.driver });
    }
  });
  return router;
}
