import type { StepStage } from './tracker.js';

export const chainsHref = {
  list: '/chains',
  new: (bundle: string) => `/chains/new?bundle=${encodeURIComponent(bundle)}`,
  chain: (number: string) => `/chains/${number}`,
  rate: (number: string) => `/chains/${number}/rating`,
  bundles: '/admin/bundles',
  bundleNew: '/admin/bundles/new',
  bundle: (code: string) => `/admin/bundles/${code}`,
  coordinator: '/coordinator/chains',
  reroute: (stepId: number) => `/coordinator/chains/steps/${stepId}/reroute`,
};

export const CHAIN_STATUS_LABELS = { open: '办理中', completed: '已办结', cancelled: '已撤销' } as const;

export const KIND_LABELS = { calibration: '计量检定/校准', oil_test: '油品检测', consultation: '咨询辅导' } as const;

/** Badge colour of a step's stage. */
export function stageBadge(s: Pick<StepStage, 'done' | 'stalled' | 'overdue' | 'state' | 'bookingStatus'>): string {
  if (s.done) return 'text-bg-success';
  if (s.stalled) return 'text-bg-danger';
  if (s.overdue) return 'text-bg-warning';
  if (s.state === 'waiting') return 'text-bg-secondary';
  return 'text-bg-primary';
}

export function chainStatusBadge(status: keyof typeof CHAIN_STATUS_LABELS): string {
  return status === 'completed' ? 'text-bg-success' : status === 'cancelled' ? 'text-bg-secondary' : 'text-bg-primary';
}
