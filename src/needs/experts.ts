import { isCoordinator, type Principal } from '../auth/access.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { shanghaiDate } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import type { NeedsDeps } from './needs.js';
import * as repo from './needs.repo.js';
import { expertProfileSchema } from './needs.schemas.js';

/*
 * An expert's profile in the pool: fields, tags, 资质, 可接单/暂停接单 (optionally until a day) and the most needs
 * taken at once. The expert edits their own; a coordinator or platform admin edits anyone's. Matching reads it.
 */

/** The profile the user may edit: their own (expert), any (coordinator, platform admin); another expert's: 404. */
async function editableExpert(deps: NeedsDeps, user: Principal, id: number) {
  const manager = isCoordinator(user) || user.role === 'platform_admin';
  if (!manager && !['expert', 'lab_staff', 'node_manager'].includes(user.role)) throw new ForbiddenError('只有专家本人或协调人可以修改专家档案。');
  const found = await repo.findExpert(deps.db, id);
  if (!found || (!manager && found.expert.userId !== user.id)) throw new NotFoundError('该专家档案不存在，或您无权修改。');
  return found;
}

/** The form's values as the profile holds them now. */
export async function expertProfileForm(deps: NeedsDeps, user: Principal, id: number) {
  const found = await editableExpert(deps, user, id);
  const e = found.expert;
  return {
    expert: { id: e.id, name: found.name, organisation: e.organisation },
    values: { fields: e.fields, tags: e.tags.join('、'), qualifications: e.qualifications.join('、'), state: e.available ? 'open' : 'paused', pausedUntil: e.pausedUntil ?? '', maxLoad: String(e.maxLoad) },
  };
}

export async function saveExpertProfile(deps: NeedsDeps, user: Principal, id: number, body: unknown): Promise<void> {
  const found = await editableExpert(deps, user, id);
  const v = parseInput(expertProfileSchema, body);
  const today = shanghaiDate(deps.clock.now());
  if (v.pausedUntil !== '' && v.pausedUntil < today) throw new ValidationError({ pausedUntil: '暂停截止日期不能早于今天' });
  await inTransaction(deps.db, async (tx) => {
    const patch = { fields: v.fields, tags: v.tags, qualifications: v.qualifications, available: v.state === 'open', pausedUntil: v.pausedUntil || null, maxLoad: v.maxLoad };
    await repo.updateExpert(tx, id, patch);
    await recordEvent(tx, {
      actorUserId: user.id,
      entityType: 'expert',
      entityId: id,
      action: 'expert.profile_updated',
      fromState: found.expert.available ? 'open' : 'paused',
      toState: v.state,
      data: { maxLoad: v.maxLoad, pausedUntil: v.pausedUntil || null, fields: v.fields },
    });
  });
}

/** The expert profile of a user (for the link to their own profile), if any. */
export async function ownExpertId(deps: NeedsDeps, user: Principal): Promise<number | null> {
  if (user.role !== 'expert' && user.role !== 'lab_staff' && user.role !== 'node_manager') return null;
  return (await repo.expertOfUser(deps.db, user.id))?.id ?? null;
}
