import { dropCreatedDatabases } from './db.js';

export const mochaHooks = {
  async afterAll() {
    await dropCreatedDatabases();
  },
};
