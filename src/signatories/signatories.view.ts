export const signatoriesHref = (nodeId: number) => `/admin/nodes/${nodeId}/signatories`;
