import { createHash, randomBytes } from 'node:crypto';
import { asPrincipal, assertCan, type Principal } from '../auth/access.js';
import type { Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { Clock } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import { newKeySchema } from './api.schemas.js';
import * as repo from './keys.repo.js';
import { SCOPES_OF_OWNER, type ApiScope } from './scopes.js';

export type { KeyOwner } from './keys.repo.js';

/** Who calls the API: the key, the scopes it grants, and the principal every service checks (the key's creator within the key's owner). */
export interface ApiCaller {
  keyId: number;
  ownerType: 'company' | 'node' | 'platform';
  scopes: ApiScope[];
  rateLimit: number;
  principal: Principal;
}

export const hashKey = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Whose keys a user manages: the company's (its company admins: access.ts integration.manage), the node's (its manager), the platform's. */
export function ownerOf(user: Principal): repo.KeyOwner {
  assertCan(user, 'integration.manage');
  if (user.role === 'enterprise') return { ownerType: 'company', enterpriseId: user.enterpriseId };
  if (user.role === 'node_manager') return { ownerType: 'node', nodeId: user.nodeId };
  return { ownerType: 'platform' };
}

/** Live (not revoked) keys an owner may hold at once. */
export const MAX_LIVE_KEYS = 10;

export function makeKeysService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    list: (user: Principal) => repo.listKeys(db, ownerOf(user)),

    /** Creates a key; the secret is returned this once and only its hash is kept. */
    async create(user: Principal, input: unknown): Promise<{ id: number; name: string; secret: string }> {
      const owner = ownerOf(user);
      const { name, scopes } = parseInput(newKeySchema, input);
      const allowed = SCOPES_OF_OWNER[owner.ownerType];
      const refused = scopes.filter((s) => !allowed.includes(s));
      if (refused.length > 0) throw new ValidationError({ scopes: '所选权限范围不适用于此类密钥' });
      const secret = `nqi_${randomBytes(32).toString('base64url')}`;
      const row = await inTransaction(db, async (tx) => {
        // A handful of systems per owner; each key has its own rate limit, so keys without end would lift it.
        if ((await repo.countLiveKeysLocked(tx, owner)) >= MAX_LIVE_KEYS) throw new ValidationError({ name: `最多可同时启用 ${MAX_LIVE_KEYS} 个接口密钥，请先停用不再使用的密钥。` });
        const key = await repo.insertKey(tx, {
          name,
          prefix: secret.slice(0, 12),
          keyHash: hashKey(secret),
          ownerType: owner.ownerType,
          enterpriseId: owner.ownerType === 'company' ? owner.enterpriseId : null,
          nodeId: owner.ownerType === 'node' ? owner.nodeId : null,
          scopes: [...new Set(scopes)],
          createdBy: user.id,
        });
        await recordEvent(tx, { actorUserId: user.id, entityType: 'api_key', entityId: key.id, action: 'api_key.created', note: `创建接口密钥“${name}”`, data: { scopes } });
        return key;
      });
      return { id: row.id, name: row.name, secret };
    },

    async revoke(user: Principal, id: number): Promise<void> {
      const owner = ownerOf(user);
      await inTransaction(db, async (tx) => {
        if (!(await repo.revokeKey(tx, owner, id, clock.now()))) throw new NotFoundError('该密钥不存在或已停用。');
        await recordEvent(tx, { actorUserId: user.id, entityType: 'api_key', entityId: id, action: 'api_key.revoked', note: '停用接口密钥' });
      });
    },

    /**
     * The caller behind a bearer token, or undefined (unknown, revoked, or its creator no longer holds the scope the
     * key was made for — e.g. moved to another company, deactivated, no longer the company's admin, or the company
     * itself deactivated).
     */
    async authenticate(token: string): Promise<ApiCaller | undefined> {
      if (!/^nqi_[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
      const found = await repo.findByHash(db, hashKey(token));
      if (!found || found.key.revokedAt || !found.user.active) return undefined;
      const { key, user, companyActive } = found;
      const stillOwner =
        (key.ownerType === 'company' && user.role === 'enterprise' && user.enterpriseId === key.enterpriseId && user.companyAdmin && companyActive === true) ||
        (key.ownerType === 'node' && user.role === 'node_manager' && user.nodeId === key.nodeId) ||
        (key.ownerType === 'platform' && user.role === 'platform_admin');
      if (!stillOwner) return undefined;
      await repo.touchKey(db, key.id, clock.now());
      const principal = asPrincipal({ ...user, mustChangePassword: false });
      return { keyId: key.id, ownerType: key.ownerType as ApiCaller['ownerType'], scopes: key.scopes as ApiScope[], rateLimit: key.rateLimit, principal };
    },
  };
}

export type KeysService = ReturnType<typeof makeKeysService>;
