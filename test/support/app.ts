import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/app.js';
import type { LoginThrottle } from '../../src/auth/throttle.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Database, Db } from '../../src/db/client.js';
import { createLogger } from '../../src/shared/logger.js';
import type { Clock } from '../../src/shared/time.js';
import type { DraftQuota } from '../../src/uploads/quota.js';
import { createTestDatabase } from './db.js';

export interface TestApp {
  app: Express;
  services: ReturnType<typeof createApp>['services'];
  /** The signed-in pages kept in memory (src/http/private-pages.ts): its counts show what was served from it. */
  privatePages: ReturnType<typeof createApp>['privatePages'];
  db: Db;
  database: Database;
  config: Config;
  uploadDir: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  clock?: Clock;
  loginThrottle?: LoginThrottle;
  verifyLimit?: { limit: number; windowMs: number };
  trackLimit?: { limit: number; windowMs: number };
  draftQuota?: Partial<DraftQuota>;
  tokenLimit?: { limit: number; windowMs: number };
  env?: Record<string, string>;
  database?: Database;
}

/** A real app on its own clean database (PGlite, or the PostgreSQL server with TEST_DATABASE_URL). */
export async function createTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const database = opts.database ?? (await createTestDatabase());
  const scratch = mkdtempSync(path.join(tmpdir(), 'nqi-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: path.join(scratch, 'data'),
    UPLOAD_DIR: path.join(scratch, 'uploads'),
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://nqi.test',
    // The document store under test: disk by default; TEST_FILE_STORE=database runs a suite against stored_files.
    ...(process.env.TEST_FILE_STORE ? { FILE_STORE: process.env.TEST_FILE_STORE } : {}),
    ...opts.env,
  });
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const built = createApp({
    config,
    database,
    logger,
    ...(opts.clock ? { clock: opts.clock } : {}),
    // Test files sign up hundreds of companies from one address (127.0.0.1): the sign-up limits are lifted unless a
    // test sets them; the sign-in and password-check limits stay as in production.
    loginThrottle: { register: { limit: 100_000, windowMs: 60_000 }, registerRefused: { limit: 100_000, windowMs: 60_000 }, ...opts.loginThrottle },
    ...(opts.verifyLimit ? { verifyLimit: opts.verifyLimit } : {}),
    ...(opts.trackLimit ? { trackLimit: opts.trackLimit } : {}),
    ...(opts.draftQuota ? { draftQuota: opts.draftQuota } : {}),
    // Token links (invitations, resets) are tried hundreds of times by the security suites from one address: lifted
    // unless a test sets a limit.
    tokenLimit: opts.tokenLimit ?? { limit: 100_000, windowMs: 60_000 },
  });
  return {
    app: built.app,
    services: built.services,
    privatePages: built.privatePages,
    db: database.db,
    database,
    config,
    uploadDir: config.uploadDir,
    close: async () => {
      built.close();
      await database.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export type Agent = ReturnType<typeof supertest.agent>;

export function agentFor(app: Express): Agent {
  return supertest.agent(app);
}

/** The CSRF token rendered into a page's form (the session cookie stays in the agent). */
export async function csrfFrom(agent: Agent, pagePath = '/login'): Promise<string> {
  const res = await agent.get(pagePath);
  const match = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!match) throw new Error(`no CSRF token on ${pagePath} (status ${res.status})`);
  return match[1]!;
}

export async function login(agent: Agent, identifier: string, password: string): Promise<void> {
  const token = await csrfFrom(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: token, identifier, password });
  if (res.status !== 302) throw new Error(`login as ${identifier} failed: ${res.status}`);
}
