import { expect } from 'chai';
import { loginAs, MOBILE } from './support/browser.js';
import { DEMO_PASSWORD } from './support/helpers.js';
import { ARTIFACTS, env } from './support/hooks.js';
import { checkedSessions } from './support/sessions.js';

/**
 * 一件事 and quality needs, as people use them on the demo data: a company files one request for a whole chain and
 * follows it on one page; the coordinator sees stalled steps; the platform admin keeps the bundles; a company's need is
 * matched to an expert, who answers it.
 */
const COMPANY = ['13900000101', DEMO_PASSWORD] as const; // 张伟, 舟山海星船舶修造有限公司
const ADMIN = ['13900000001', DEMO_PASSWORD] as const; // platform admin, holds the coordinator duty in the demo
const EXPERT = ['13900000501', DEMO_PASSWORD] as const; // 王建华, 计量溯源方案
const base = () => env.server!.url;
const shot = (name: string) => `${ARTIFACTS}/screenshots/${name}.png`;

describe('一件事 and quality needs', () => {
  const session = checkedSessions();

  it('a company files one request for the export chain: steps booked in one go, the last one after its predecessors', async () => {
    const { page } = await session();
    await loginAs(page, base(), ...COMPANY);
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '一件事' }).click();
    expect(await page.locator('h1').textContent()).to.equal('一件事联办');
    await page.getByRole('link', { name: /办理.*出口认证一件事/ }).click();
    await page.getByLabel('需求说明').fill('出口欧盟的电子秤产品需要对标欧盟标准，检定称量器具并准备体系认证。');
    for (const p of [1, 2]) {
      await page.locator(`#f-s${p}_node`).selectOption({ index: 1 });
      await page.locator(`#f-s${p}_slot`).selectOption({ index: 1 });
    }
    await page.getByLabel('器具名称').fill('电子天平');
    await page.getByLabel('出厂编号').fill('XS205-E2E');
    await page.locator('#f-s3_node').selectOption({ index: 1 });
    await page.locator('#f-s3_slot').selectOption('later');
    await page.screenshot({ path: shot('chain-new'), fullPage: true });
    await page.getByRole('button', { name: /确认提交/ }).click();
    const heading = (await page.locator('h1').textContent())!;
    expect(heading).to.match(/出口认证一件事 YJS-\d{8}-\d{4}/);
    const stages = await page.locator('section[aria-labelledby="steps-heading"] tbody tr').allTextContents();
    expect(stages).to.have.length(3);
    expect(stages[0]).to.contain('待受理');
    expect(stages[2]).to.contain('待前序完成');
    await page.screenshot({ path: shot('chain-tracker'), fullPage: true });
  });

  it('the coordinator sees stalled steps across all open chains; the platform admin keeps versioned bundles', async () => {
    const { page } = await session();
    await loginAs(page, base(), ...ADMIN);
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '一件事协调' }).click();
    expect(await page.locator('h1').textContent()).to.equal('一件事协调看板');
    expect(await page.locator('section[aria-labelledby="attention-heading"]').textContent()).to.contain('不予受理');
    await page.screenshot({ path: shot('chain-coordinator'), fullPage: true });
    await page.goto(`${base()}/admin/bundles`);
    const rows = await page.locator('tbody tr').allTextContents();
    expect(rows.join()).to.contain('新产品上市一件事').and.contain('油品贸易一件事').and.contain('第 2 版');
  });

  it('a company asks a quality need; the coordinator assigns the best-matched expert, who answers it', async () => {
    const company = await session();
    await loginAs(company.page, base(), ...COMPANY);
    await company.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '一件事' }).click();
    await company.page.getByRole('link', { name: '质量需求与专家答复' }).click();
    await company.page.getByLabel('需求类型').selectOption('计量溯源方案');
    await company.page.getByLabel('需求标题').fill('新车间压力表溯源方案');
    await company.page.getByLabel('需求描述').fill('新车间 60 台压力表和 10 台压力变送器，需要溯源和周期检定方案。');
    await company.page.getByLabel('希望的服务方式').selectOption('online');
    // a document goes with the need (checked by content like a booking's files)
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    await company.page.getByLabel('附件（选填）').setInputFiles({ name: '压力表清单.pdf', mimeType: 'application/pdf', buffer: pdf });
    await company.page.getByRole('button', { name: '提交需求' }).click();
    const number = /XQ-\d{8}-\d{4}/.exec((await company.page.locator('p.text-body-secondary').first().textContent())!)![0];
    expect(await company.page.getByRole('link', { name: '压力表清单.pdf' }).count()).to.equal(1);
    await company.page.screenshot({ path: shot('need-documents'), fullPage: true });

    const coordinator = await session();
    await loginAs(coordinator.page, base(), ...ADMIN);
    await coordinator.page.goto(`${base()}/needs/${number}`);
    const first = coordinator.page.locator('section[aria-labelledby="match-heading"] .form-check').first();
    expect(await first.textContent()).to.contain('王建华').and.contain('擅长“计量溯源方案”').and.contain('关键词匹配');
    await coordinator.page.screenshot({ path: shot('need-matching'), fullPage: true });
    await coordinator.page.getByRole('button', { name: '指派' }).click();
    expect(await coordinator.page.locator('h1 .badge').textContent()).to.equal('已指派');

    const expert = await session(MOBILE);
    await loginAs(expert.page, base(), ...EXPERT);
    await expert.page.goto(`${base()}/needs/${number}`);
    await expert.page.getByLabel('留言').fill('请提供压力表的量程和准确度等级清单，我据此给出溯源方案。');
    await expert.page.getByRole('button', { name: '发送' }).click();
    expect(await expert.page.locator('h1 .badge').textContent()).to.equal('答复中');
    await expert.page.screenshot({ path: shot('need-expert-mobile'), fullPage: true });
  });
});
