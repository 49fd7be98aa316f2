import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from './shared/paths.js';

const boolFromEnv = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: z.url({ message: '必须是完整的网址，例如 https://nqi.zhoushan.gov.cn' }).optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: '必须以 postgres:// 或 postgresql:// 开头' })
      .optional(),
    /** A streaming replica of DATABASE_URL for the reads that tolerate a second of lag (dashboards, exports, open data, catalog). */
    DATABASE_READ_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: '必须以 postgres:// 或 postgresql:// 开头' })
      .optional(),
    /** Where uploaded documents live: database (table stored_files) or disk (UPLOAD_DIR). */
    FILE_STORE: z.enum(['database', 'disk'], { message: '只能是 database（存入数据库）或 disk（存在 UPLOAD_DIR 目录）' }).optional(),
    DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    DATA_DIR: z.string().min(1).default('./data'),
    UPLOAD_DIR: z.string().min(1).default('./uploads'),
    SESSION_SECRET: z.string().min(32, { message: '至少 32 个字符' }).optional(),
    SESSION_MAX_AGE_HOURS: z.coerce.number().positive().max(24 * 30).default(8),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: z.string().default(''),
    BOOKING_HORIZON_DAYS: z.coerce.number().int().min(1).max(365).default(60),
    DASHBOARD_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
    AUTO_COMPLETE_DAYS: z.coerce.number().int().min(1).max(60).default(7),
    WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
    /** Embedded database only: requests past the static files served at a time, the rest wait in arrival order (0 = no limit). */
    EMBEDDED_ADMISSION: z.coerce.number().int().min(0).max(256).default(4),
    /** Embedded database only: run PGlite in a worker thread (src/db/pglite-remote.ts); 0 keeps it in the request thread. */
    PGLITE_WORKER: boolFromEnv.default(true),
    SEED_DEMO: boolFromEnv.optional(),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/[^\s]+$/, { message: '必须以 smtp:// 或 smtps:// 开头，例如 smtps://user:pass@smtp.example.com:465' })
      .optional(),
    MAIL_FROM: z.string().min(3).max(200).optional(),
    /** Webhooks to private or loopback addresses (refused by default: SSRF); tests and local development set it. */
    WEBHOOK_ALLOW_PRIVATE: boolFromEnv.optional(),
  })
  .superRefine((env, ctx) => {
    if (env.DATABASE_READ_URL && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_READ_URL'], message: '只读副本只能与 DATABASE_URL（PostgreSQL）一起使用' });
    }
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: '生产环境必须设置（至少 32 个字符的随机串）' });
    }
    // Printed on every receipt's and report's QR code and in every e-mailed link: a guessed localhost would be printed too.
    if (env.NODE_ENV === 'production' && !env.PUBLIC_URL) {
      ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: '生产环境必须设置用户访问的网址（印在回执和报告的二维码上），例如 https://nqi.zhoushan.gov.cn' });
    }
    if (env.NODE_ENV === 'production' && env.SEED_DEMO) {
      ctx.addIssue({ code: 'custom', path: ['SEED_DEMO'], message: '生产环境不能创建演示账号' });
    }
  });

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: string | undefined;
  /** The read replica's address (PostgreSQL only); unset: every read goes to DATABASE_URL. */
  databaseReadUrl: string | undefined;
  /**
   * Where documents live. Default: database with DATABASE_URL (every app host serves every document; backups and
   * replicas carry them), disk on the embedded PGlite (one host; its backup loads the whole data folder in memory).
   */
  fileStore: 'database' | 'disk';
  dbPoolMax: number;
  /** On PGlite: requests admitted at a time (src/http/admission.ts); 0 = no limit. */
  embeddedAdmission: number;
  /** On PGlite: the database runs in a worker thread. */
  pgliteWorker: boolean;
  dataDir: string;
  uploadDir: string;
  sessionSecret: string;
  sessionMaxAgeMs: number;
  logLevel: Env['LOG_LEVEL'];
  trustProxy: string;
  bookingHorizonDays: number;
  /** How long a dashboard's figures are kept per scope and period (0: computed on every view). */
  dashboardCacheSeconds: number;
  autoCompleteDays: number;
  webConcurrency: number;
  /** Demo accounts and demo history are seeded only outside production. */
  seedDemo: boolean;
  /** Outgoing e-mail (the outbox's mail sender); unset: nothing is sent and nothing fails. */
  smtpUrl: string | undefined;
  /** The From of every e-mail. */
  mailFrom: string;
  /** Webhook targets on private/loopback addresses are allowed (never by default in production). */
  webhookAllowPrivate: boolean;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`配置有误 (configuration error):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; every bad value is reported with its variable name. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (FOO=) means "not set", as in most deployment tools.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const env = parsed.data;
  const root = projectRoot();
  const dataDir = path.resolve(root, env.DATA_DIR);
  const uploadDir = path.resolve(root, env.UPLOAD_DIR);
  return {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    host: env.HOST,
    port: env.PORT,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    databaseUrl: env.DATABASE_URL,
    databaseReadUrl: env.DATABASE_READ_URL,
    fileStore: env.FILE_STORE ?? (env.DATABASE_URL ? 'database' : 'disk'),
    dbPoolMax: env.DB_POOL_MAX,
    embeddedAdmission: env.EMBEDDED_ADMISSION,
    pgliteWorker: env.PGLITE_WORKER,
    dataDir,
    uploadDir,
    sessionSecret: env.SESSION_SECRET ?? demoSessionSecret(dataDir),
    sessionMaxAgeMs: env.SESSION_MAX_AGE_HOURS * 3600_000,
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
    bookingHorizonDays: env.BOOKING_HORIZON_DAYS,
    dashboardCacheSeconds: env.DASHBOARD_CACHE_SECONDS,
    autoCompleteDays: env.AUTO_COMPLETE_DAYS,
    webConcurrency: env.WEB_CONCURRENCY,
    seedDemo: env.SEED_DEMO ?? env.NODE_ENV !== 'production',
    smtpUrl: env.SMTP_URL,
    webhookAllowPrivate: env.WEBHOOK_ALLOW_PRIVATE ?? env.NODE_ENV === 'test',
    mailFrom: env.MAIL_FROM ?? `舟山市质量基础设施一站式服务平台 <no-reply@${mailDomain(env.PUBLIC_URL)}>`,
  };
}

/** The host of the public address, for the default sender address. */
function mailDomain(publicUrl: string | undefined): string {
  try {
    return publicUrl ? new URL(publicUrl).hostname : 'localhost';
  } catch {
    return 'localhost';
  }
}

/** Outside production a secret is generated once and kept in DATA_DIR, so sessions survive restarts. */
function demoSessionSecret(dataDir: string): string {
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
