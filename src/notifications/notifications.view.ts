/** The in-app messages page: all, or only the unread ones (`?unread=1`). */
export const notificationsHref = (unreadOnly = false) => (unreadOnly ? '/notifications?unread=1' : '/notifications');

/** The message list with its filter; the pagination keeps the filter. */
export function notificationsPage<R extends object>(result: R, unreadOnly: boolean) {
  return { title: '站内信', ...result, unreadOnly, query: unreadOnly ? { unread: '1' } : {} };
}
