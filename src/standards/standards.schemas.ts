import { z } from 'zod';
import { isIsoDate } from '../shared/time.js';
import { requiredText } from '../shared/validation.js';

/** A measurement standard as its 计量标准考核证书 describes it. The categories it serves are checked by the service. */
export const standardSchema = z.object({
  name: requiredText('计量标准名称', { max: 80 }),
  certificateNo: requiredText('考核证书编号', { max: 60 }),
  measuringRange: requiredText('测量范围', { max: 80 }),
  accuracy: requiredText('准确度等级 / 不确定度', { max: 80 }),
  validUntil: requiredText('证书有效期至', { max: 10 }).refine(isIsoDate, '证书有效期至格式应为 年-月-日'),
});

export type StandardInput = z.infer<typeof standardSchema>;
