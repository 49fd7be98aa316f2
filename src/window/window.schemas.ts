import { z } from 'zod';
import { checkbox, mobileField, optionalId, requiredId, requiredText } from '../shared/validation.js';

export const windowCompanySchema = z.object({
  companyName: requiredText('企业名称', { min: 2, max: 100 }),
  creditCode: requiredText('统一社会信用代码', { max: 40 }),
  confirmCreditCode: checkbox(),
  parkId: optionalId('所在园区'),
  address: requiredText('企业地址', { min: 5, max: 200 }),
});

export const openCaseSchema = z.object({
  enterpriseId: requiredId('企业'),
  visitorName: requiredText('来办人姓名', { min: 2, max: 30 }),
  visitorMobile: mobileField('来办人手机号'),
  visitorIdLast4: requiredText('证件号后四位', { max: 4 }).pipe(z.string().regex(/^\d{3}[\dXx]$/, '证件号后四位应为 4 位数字（身份证最后一位可为 X）').transform((s) => s.toUpperCase())),
});

export const ticketSchema = z.object({ categoryCode: requiredText('办理事项', { max: 40 }) });
