import { sql } from 'drizzle-orm';
import type { Executor, Tx } from '../db/client.js';
import { ValidationError } from '../shared/errors.js';
import { draftUsage } from './attachments.repo.js';

/*
 * The upload rules in one place. A file is at most MAX_FILE_BYTES and a form carries at most MAX_FILES; the parser
 * stops at the same numbers, so nothing over them is ever held in memory. Draft files — kept between the booking
 * form's review step and its submission — are capped per user, per company and for the whole platform (each review
 * step could otherwise store 5 × 10 MB under a fresh form key until the disk is full), the review step is rate-limited
 * per user, and drafts of abandoned forms are swept after DRAFT_MAX_AGE_MINUTES.
 */

const MB = 1024 * 1024;

export const MAX_FILE_BYTES = 10 * MB;
export const MAX_FILES = 5;

export interface Cap {
  files: number;
  bytes: number;
}

export interface DraftQuota {
  perUser: Cap;
  perCompany: Cap;
  global: Cap;
  /** Review steps (each may store files) per user and window. */
  reviews: { limit: number; windowMs: number };
}

/** Two full forms per user, a few colleagues' worth per company, and a bound on the whole platform's draft space. */
export const DEFAULT_DRAFT_QUOTA: DraftQuota = {
  perUser: { files: 2 * MAX_FILES, bytes: 2 * MAX_FILES * MAX_FILE_BYTES },
  perCompany: { files: 6 * MAX_FILES, bytes: 6 * MAX_FILES * MAX_FILE_BYTES },
  global: { files: 2_000, bytes: 2_048 * MB },
  reviews: { limit: 30, windowMs: 10 * 60_000 },
};

/** Drafts older than this belong to abandoned forms and are removed with their files. */
export const DRAFT_MAX_AGE_MINUTES = 120;
/** How often the sweeper looks for them. */
export const DRAFT_SWEEP_EVERY_MS = 10 * 60_000;

const mb = (bytes: number) => `${Math.round((bytes / MB) * 10) / 10} MB`;

export const QUOTA_MESSAGES = {
  perUser: (c: Cap) => `您暂存的附件已达上限（最多 ${c.files} 个、共 ${mb(c.bytes)}）。请先提交或放弃正在填写的预约；未提交的暂存附件 ${DRAFT_MAX_AGE_MINUTES / 60} 小时后自动清除。`,
  perCompany: (c: Cap) => `贵单位暂存的附件已达上限（最多 ${c.files} 个、共 ${mb(c.bytes)}）。请同事先提交或放弃正在填写的预约，或直接提交预约并附上文件。`,
  global: () => '平台暂存空间暂时已满，请稍后再试，或直接提交预约并附上文件。',
  reviews: () => '核对信息的操作过于频繁，请稍后再试，或直接提交预约。',
} as const;

export interface DraftOwner {
  userId: number;
  enterpriseId: number | null;
}

/**
 * Refuses new draft files that would take the user, the company or the platform over its cap (a field message for
 * the upload box). Inside a transaction, call `lockDraftSpace` first: two review steps of one company then cannot
 * both pass the check and together exceed the cap.
 */
export async function assertDraftQuota(ex: Executor, quota: DraftQuota, owner: DraftOwner, incoming: Cap): Promise<void> {
  if (incoming.files === 0) return;
  const usage = await draftUsage(ex, owner);
  const over = (used: Cap, cap: Cap) => used.files + incoming.files > cap.files || used.bytes + incoming.bytes > cap.bytes;
  if (over(usage.user, quota.perUser)) throw new ValidationError({ attachments: QUOTA_MESSAGES.perUser(quota.perUser) });
  if (owner.enterpriseId !== null && over(usage.company, quota.perCompany)) throw new ValidationError({ attachments: QUOTA_MESSAGES.perCompany(quota.perCompany) });
  if (over(usage.global, quota.global)) throw new ValidationError({ attachments: QUOTA_MESSAGES.global() });
}

const DRAFT_LOCK = 727_002; // arbitrary constant: the draft space's advisory lock

/** Serialises draft uploads (per company; per user when there is none) until the transaction ends. */
export async function lockDraftSpace(tx: Tx, owner: DraftOwner): Promise<void> {
  const key = owner.enterpriseId ?? -owner.userId;
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${DRAFT_LOCK}, ${key})`);
}
