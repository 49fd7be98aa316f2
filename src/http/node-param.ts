import { NotFoundError } from '../shared/errors.js';

/**
 * The name of the node an /admin/nodes/:id/… page is for, or 404 when no node has that id: a node manager's scope
 * check already refuses other nodes, but the platform admin may open any — and one that does not exist is not a page.
 */
export async function existingNodeName(nodeId: number, nodeName: (id: number) => Promise<string | undefined>): Promise<string> {
  const name = await nodeName(nodeId);
  if (name === undefined) throw new NotFoundError('该网点不存在。');
  return name;
}
