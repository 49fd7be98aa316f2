/** The one URL builder of a company's profile page: navigation, notifications, admin lists. */
export const enterpriseHref = (id: number) => `/enterprises/${id}`;

/** Where a company's credit code stands after sign-up ('none': its check character matched, nothing to review). */
export const CREDIT_REVIEW_LABELS = { pending: '待复核', approved: '已复核', rejected: '复核未通过' } as const;

/** A company's profile: its details and its accounts. */
export function profilePage<E extends { name: string }>(profile: { enterprise: E; colleagues: unknown[] }) {
  return { title: profile.enterprise.name, ...profile };
}
