import { eq } from 'drizzle-orm';
import { asPrincipal, type Principal } from '../auth/access.js';
import { hashPassword } from '../auth/password.js';
import type { Db } from '../db/client.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeAvailability } from '../capacity/availability.js';
import { makeReferenceData } from '../catalog/reference.js';
import { experts, needs, users } from '../db/schema.js';
import { makeNeedsService } from '../needs/needs.service.js';
import { firstAnswerDue } from '../needs/clock.js';
import { addDays, shanghaiDate } from '../shared/time.js';
import { FileStorage, type DocumentStore } from '../uploads/storage.js';
import { DEMO_PASSWORD } from './demo.js';

type ExpertSeed = [name: string, organisation: string, fields: string[], tags: string[], qualifications: string[], maxLoad: number, available: boolean];

/** The demo expert pool: twenty experts, outside and from the network's own institutes. */
export const DEMO_EXPERTS: ExpertSeed[] = [
  ['王建华', '浙江省计量科学研究院', ['计量溯源方案', '技术难题'], ['压力', '温度', '溯源'], ['注册计量师（一级）'], 4, true],
  ['李慧敏', '舟山市计量检定测试院', ['计量溯源方案'], ['衡器', '天平', '砝码'], ['注册计量师（一级）'], 4, true],
  ['陈国栋', '中国船级社舟山分社', ['技术难题', '检测方法开发'], ['燃料油', '船舶', '硫含量'], ['高级工程师'], 3, true],
  ['张海燕', '舟山国际油品检测实验室', ['检测方法开发', '技术难题'], ['燃料油', '柴油', 'ISO 8217'], ['检验检测机构授权签字人'], 4, true],
  ['刘志强', '浙江省标准化研究院', ['标准制修订', '标准体系建设'], ['企业标准', '团体标准', '对标'], ['标准化工程师'], 5, true],
  ['赵雪', '舟山市质量技术监督检测研究院', ['质量管理诊断', '园区质量诊断'], ['质量管理', '统计过程控制', '水产品'], ['质量管理体系审核员'], 4, true],
  ['孙立新', '方圆标志认证集团浙江分公司', ['认证咨询'], ['ISO 9001', 'ISO 14001', '体系'], ['国家注册审核员'], 5, true],
  ['周晓峰', '中国质量认证中心杭州分中心', ['认证咨询'], ['CCC', '强制性认证', '出口'], ['国家注册审核员', 'CCC 检查员'], 4, true],
  ['吴丽娟', '浙江海洋大学', ['技术难题', '检测方法开发'], ['水产品', '冷链', '微生物'], ['教授'], 3, true],
  ['郑伟', '舟山市计量检定测试院', ['计量溯源方案'], ['流量', '加油机', '燃料油'], ['注册计量师（一级）'], 4, true],
  ['冯涛', '浙江省特种设备科学研究院', ['技术难题'], ['压力容器', '焊缝', '无损检测'], ['无损检测Ⅲ级'], 3, true],
  ['何静', '浙江省标准化研究院', ['标准制修订'], ['标准查新', '地方标准', '标准比对'], ['标准化工程师'], 4, true],
  ['朱明', '舟山经济开发区管委会', ['园区质量诊断', '标准体系建设'], ['园区', '质量提升', '品牌'], ['高级经济师'], 3, true],
  ['蒋文博', '上海船舶工艺研究所', ['技术难题'], ['船舶', '涂装', '焊缝'], ['研究员'], 2, true],
  ['沈佳', '舟山市市场监督管理局技术中心', ['质量管理诊断'], ['卓越绩效', '质量管理', '统计过程控制'], ['质量专业技术人员（高级）'], 4, true],
  ['韩磊', '中国计量大学', ['计量溯源方案', '检测方法开发'], ['不确定度', '校准', '温度'], ['教授', '注册计量师（一级）'], 3, true],
  ['杨帆帆', '浙江省检验检疫科学技术研究院', ['检测方法开发'], ['食品', '水产品', '出口'], ['检验检测机构授权签字人'], 4, true],
  ['曹雨', '舟山市计量检定测试院', ['计量溯源方案'], ['气体检测', '报警器', '安全'], ['注册计量师（二级）'], 4, false],
  ['钱程', '方圆标志认证集团浙江分公司', ['认证咨询', '质量管理诊断'], ['ISO 45001', '安全', '体系'], ['国家注册审核员'], 4, true],
  ['许晴', '舟山港综合保税区服务中心', ['技术难题', '认证咨询'], ['保税', '燃料油', '出口'], ['高级工程师'], 3, true],
];

const principalOf = async (db: Db, mobile: string): Promise<Principal> => {
  const [u] = await db.select().from(users).where(eq(users.mobile, mobile));
  return asPrincipal({ ...u!, unread: 0 });
};

/** A small, valid PDF (the upload check judges files by content). */
export function demoPdf(title: string): Buffer {
  return Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% ${title}\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

const demoFile = (name: string) => {
  const buffer = demoPdf(name);
  return { purpose: 'need_file' as const, originalname: name, buffer, size: buffer.length };
};

/**
 * The demo pool (logins 139000005NN, the demo password) and needs in every state: waiting in the pool, assigned,
 * being answered, answered, rated, closed without result — one of them overdue, one a park's own; one submitted with
 * documents (and a document on its thread), one turned into single bookings, an expert on pause until a day.
 * Files go to the app's document store (`documents`) so they can be downloaded.
 */
export async function seedDemoNeeds(db: Db, now: Date = new Date(), documents?: DocumentStore): Promise<{ experts: number; needs: number }> {
  if ((await db.$count(experts)) > 0) return { experts: 0, needs: 0 };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const [i, [name, organisation, fields, tags, qualifications, maxLoad, available]] of DEMO_EXPERTS.entries()) {
    const mobile = `139000005${String(i + 1).padStart(2, '0')}`;
    const [u] = await db.insert(users).values({ role: 'expert', name, mobile, email: `expert${i + 1}@nqi.example.com`, passwordHash }).onConflictDoNothing().returning({ id: users.id });
    if (u) await db.insert(experts).values({ userId: u.id, organisation, fields, tags, qualifications, maxLoad, available });
  }
  const clock = { now: () => now };
  const storage = documents ?? new FileStorage(path.join(tmpdir(), 'nqi-seed-unused'));
  const svc = makeNeedsService({ db, clock, storage, availability: makeAvailability({ db, clock, horizonDays: 60 }), reference: makeReferenceData(db) });
  // 曹雨 is on leave for two weeks (暂停接单 until a day): not proposed until then.
  await db.update(experts).set({ pausedUntil: addDays(shanghaiDate(now), 14) }).where(eq(experts.available, false));
  const shipyard = await principalOf(db, '13900000101');
  const bunker = await principalOf(db, '13900000301');
  const park = await principalOf(db, '13900000002');
  const coordinator = await principalOf(db, '13900000001');
  const expert = async (i: number) => ({ p: await principalOf(db, `139000005${String(i).padStart(2, '0')}`), id: (await db.select({ id: experts.id }).from(experts).innerJoin(users, eq(users.id, experts.userId)).where(eq(users.mobile, `139000005${String(i).padStart(2, '0')}`)))[0]!.id });
  const submit = (who: Principal, type: string, title: string, description: string, preferredWay = 'online') => svc.submit(who, { type, title, description, preferredWay });

  const withFiles = await svc.submit(shipyard, { type: '技术难题', title: '船用压力管路焊缝渗漏原因分析', description: '新建船舶压力管路试压时焊缝渗漏，需专家分析焊接工艺与无损检测方案。', preferredWay: 'visit' }, { files: [demoFile('焊缝渗漏照片说明.pdf'), demoFile('焊接工艺评定报告.pdf')] });
  const e11 = await expert(11);
  await svc.assign(coordinator, withFiles, { expert: String(e11.id) });
  await svc.message(e11.p, withFiles, { body: '已看过工艺评定报告，附上建议的无损检测比例和复检方案，请先按此安排。' }, { files: [demoFile('无损检测复检方案.pdf')] });
  const overdue = await submit(bunker, '检测方法开发', '调和燃料油稳定性快速判定方法', '调和后的燃料油出现沉淀，希望建立快速判定稳定性的方法，配合 ISO 8217 检测。');
  // Filed 20 days ago and still unanswered: its first-answer date, counted from that day, has passed.
  const filedAt = new Date(now.getTime() - 20 * 86_400_000);
  await db.update(needs).set({ dueDate: firstAnswerDue(shanghaiDate(filedAt)), createdAt: filedAt }).where(eq(needs.number, overdue));
  const assigned = await submit(shipyard, '计量溯源方案', '车间压力表与压力变送器溯源方案', '车间有 120 台压力表和 30 台压力变送器，需要制定溯源和周期检定方案。');
  await svc.assign(coordinator, assigned, { expert: String((await expert(1)).id) });
  const answering = await submit(bunker, '计量溯源方案', '加油机与流量计计量溯源', '保税油库流量计和加油机的检定周期和溯源链需要梳理。');
  const e10 = await expert(10);
  await svc.assign(coordinator, answering, { expert: String(e10.id) });
  await svc.message(e10.p, answering, { body: '请提供流量计的型号、口径和近两年的检定证书，我先梳理溯源链。' });
  const resolved = await submit(shipyard, '认证咨询', '压力管路附件出口欧盟的认证路径', '产品计划出口欧盟，需要了解适用的认证和标准，以及国内可准备的检测。');
  const e8 = await expert(8);
  await svc.assign(coordinator, resolved, { expert: String(e8.id) });
  await svc.message(e8.p, resolved, { body: '该产品适用承压设备指令，建议先做标准比对，再安排型式试验。' });
  await svc.resolve(e8.p, resolved, { resolution: '建议按“出口认证一件事”办理：先对标比对，再检定生产用称量器具，最后开展体系认证辅导。', proposedBundle: 'EXPORT-CERT' });
  // Turned directly into single bookings: the expert proposes two services, the company books both at once.
  const booked = await submit(shipyard, '标准制修订', '出口压力表对标与天平检定', '出口订单要求对标欧盟标准，并提供生产用电子天平的检定证书。');
  const e5 = await expert(5);
  await svc.assign(coordinator, booked, { expert: String(e5.id) });
  await svc.message(e5.p, booked, { body: '建议先做标准比对，同时检定电子天平；两项可分别预约。' });
  await svc.propose(e5.p, booked, { services: ['BZ-BENCH', 'CAL-EBAL'] });
  const plan = await svc.bookingPlan(shipyard, booked);
  const body: Record<string, unknown> = { idempotencyKey: 'demo-need-bookings-0001', contactName: '张伟', contactMobile: '13900000101', description: '出口压力表需对标欧盟标准，并检定生产用电子天平。', s2_instrumentName: '电子天平', s2_serialNo: 'EB-NEED-01', s2_quantity: '1' };
  for (const st of plan.steps) {
    const choice = st.nodes.find((x) => x.windows.length) ?? st.nodes[0]!;
    body[`s${st.position}_node`] = String(choice.id);
    body[`s${st.position}_slot`] = choice.windows[1]?.value ?? choice.windows[0]?.value ?? '';
  }
  await svc.book(shipyard, booked, body);
  const rated = await submit(bunker, '技术难题', '燃料油硫含量复检结果差异', '同一批次燃料油两家实验室硫含量结果差异较大，需要分析原因。');
  const e3 = await expert(3);
  await svc.assign(coordinator, rated, { expert: String(e3.id) });
  await svc.message(e3.p, rated, { body: '差异主要来自取样代表性和方法重复性，请提供双方取样记录。' });
  await svc.resolve(e3.p, rated, { resolution: '按 ISO 4259 判定两结果在再现性范围内；建议今后按 MARPOL 规定的取样程序留样。', proposedBundle: 'OIL-TRADE' });
  await svc.rate(bunker, rated, { level: '5', comment: '分析清楚，解决了争议。' });
  const closed = await submit(shipyard, '质量管理诊断', '班组质量管理诊断', '希望对两个班组开展质量管理诊断。', 'meeting');
  await svc.close(coordinator, closed, { reason: '企业已改由园区统一组织诊断，本需求撤回。' });
  await submit(park, '园区质量诊断', '定海工业园区质量提升诊断', '园区船舶修造企业集中，希望开展共性质量问题诊断并形成提升方案。', 'meeting');
  return { experts: DEMO_EXPERTS.length, needs: 9 };
}
