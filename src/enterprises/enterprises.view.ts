/** The one URL builder of a company's profile page: navigation, notifications, admin lists. */
export const enterpriseHref = (id: number) => `/enterprises/${id}`;
