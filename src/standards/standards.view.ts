export const standardsHref = (nodeId: number) => `/admin/nodes/${nodeId}/standards`;
