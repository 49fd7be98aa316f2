import type { Db } from '../db/client.js';
import { assertCan, type Principal } from '../auth/access.js';
import { NotFoundError } from '../shared/errors.js';
import { findEnterpriseById, listEnterpriseUsers } from './enterprises.repo.js';

export function makeEnterprisesService(db: Db) {
  return {
    /** A company's profile and its accounts: own company for its users, the park's companies for a park admin. */
    async profile(user: Principal, id: number) {
      const enterprise = await findEnterpriseById(db, id);
      if (!enterprise) throw new NotFoundError();
      assertCan(user, 'enterprise.read', { enterpriseId: enterprise.id, parkId: enterprise.parkId });
      return { enterprise, colleagues: await listEnterpriseUsers(db, id) };
    },
  };
}

export type EnterprisesService = ReturnType<typeof makeEnterprisesService>;
