import type { Executor } from '../db/client.js';
import { ConflictError } from '../shared/errors.js';
import { isSignatoryOn } from '../signatories/signatories.repo.js';

/**
 * The signing rules of a report (first issue and every revision alike), as laboratories apply them (CNAS-CL01 /
 * RB/T 214): the tester (检测/检定), the verifier (审核) and the approver (批准/签发) are three different people, and the
 * approver is an authorised signatory (授权签字人) of the node for the service's category on the day of signing.
 */
export interface Signers {
  testerId: number | null;
  verifierId: number | null;
  approverId: number;
}

export async function assertMaySign(ex: Executor, signers: Signers, scope: { nodeId: number; categoryCode: string; day: string }): Promise<void> {
  if (signers.testerId === null || signers.verifierId === null) throw new ConflictError('结果尚未录入并审核，不能签发。', 'signers');
  if (signers.approverId === signers.testerId) throw new ConflictError('签发人不能是录入结果的检测人员，请由授权签字人签发。', 'signers');
  if (signers.approverId === signers.verifierId) throw new ConflictError('签发人不能是审核人，检测、审核、批准须由三个不同的人完成。', 'signers');
  if (!(await isSignatoryOn(ex, { userId: signers.approverId, nodeId: scope.nodeId, categoryCode: scope.categoryCode, day: scope.day }))) {
    throw new ConflictError('您不是本网点该类服务的授权签字人，不能签发报告。授权由网点负责人在“授权签字人”页面设置。', 'not_signatory');
  }
}

/** Four-eyes on results: whoever verifies did not enter them. */
export function assertMayVerify(resultsBy: number | null, verifierId: number): void {
  if (resultsBy === verifierId) throw new ConflictError('审核人不能与结果录入人相同，请由其他检测人员审核。', 'four_eyes');
}
