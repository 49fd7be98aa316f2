import type { PoolExpert } from './needs.repo.js';

/** One expert proposed for a need, with the score and how it was made up (shown to the coordinator). */
export interface Match {
  expert: PoolExpert;
  score: number;
  parts: { label: string; points: number }[];
  explanation: string;
}

/** Why an expert is not proposed now (暂停接单, with its end day; or full), else null. */
export function unavailableReason(e: Pick<PoolExpert, 'available' | 'pausedUntil' | 'load' | 'maxLoad'>, today: string): string | null {
  if (!isAvailable(e, today)) return e.pausedUntil ? `暂停接单至 ${e.pausedUntil}` : '暂停接单';
  if (e.load >= e.maxLoad) return `已满负荷（在办 ${e.load}/${e.maxLoad} 件）`;
  return null;
}

/** 可接单: not paused, or the pause's end day has passed. */
export function isAvailable(e: { available: boolean; pausedUntil: string | null }, today: string): boolean {
  return e.available || (e.pausedUntil !== null && today > e.pausedUntil);
}

/**
 * Ranks the pool for a need: field (the need's type among the expert's fields) 40, subject tags found in the need's
 * title and description 10 each up to 30, free capacity up to 20 (load against the expert's maximum), past ratings up
 * to 10 (average of 1–5 stars; 6 for an expert not rated yet). Paused (暂停接单, until its end day) or fully loaded
 * experts are left out (see unavailableReason for what the coordinator is told).
 */
export function rankExperts(pool: PoolExpert[], need: { type: string; title: string; description: string }, today: string): Match[] {
  const text = `${need.title} ${need.description}`.toLowerCase();
  return pool
    .filter((e) => unavailableReason(e, today) === null)
    .map((e) => {
      const field = e.fields.includes(need.type) ? 40 : 0;
      const hits = e.tags.filter((t) => t && text.includes(t.toLowerCase()));
      const tags = Math.min(30, hits.length * 10);
      const capacity = Math.round(20 * (1 - e.load / Math.max(1, e.maxLoad)));
      const rating = e.rating === null ? 6 : Math.round((Number(e.rating) / 5) * 10);
      const parts = [
        { label: field ? `擅长“${need.type}”` : `不专长“${need.type}”`, points: field },
        { label: hits.length ? `关键词匹配：${hits.join('、')}` : '无关键词匹配', points: tags },
        { label: `在办 ${e.load}/${e.maxLoad} 件`, points: capacity },
        { label: e.rating === null ? '暂无评价（按中等计）' : `历史评价 ${Number(e.rating).toFixed(1)} 分（${e.rated} 次）`, points: rating },
      ];
      const score = field + tags + capacity + rating;
      return { expert: e, score, parts, explanation: parts.map((p) => `${p.label} +${p.points}`).join('；') };
    })
    .sort((a, b) => b.score - a.score || a.expert.load - b.expert.load || a.expert.id - b.expert.id);
}
