import { expect } from 'chai';
import { createCanvas } from '@napi-rs/canvas';
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { ARTIFACTS, env } from './support/hooks.js';
import { DESKTOP, loginAs, logout, MOBILE, newSession, type Session } from './support/browser.js';
import { crawlForProse } from './support/crawl.js';
import { DEMO_PASSWORD } from './support/helpers.js';

/**
 * What users read and print: the service guide, a 16-item bilingual oil report and a three-instrument calibration
 * report rendered to PDF by Chromium (pages, where the signatures fall), and a crawl of every page of every role
 * that fails on Latin-script prose.
 */
const base = () => env.server!.url;
const open: Session[] = [];
async function session(viewport = DESKTOP): Promise<Session> {
  const s = await newSession(env.browser!, viewport);
  open.push(s);
  return s;
}

/** The text of each page of a PDF (pdf.js), joined without the spaces pdf.js puts between glyph runs. */
async function pdfPages(pdf: Buffer): Promise<{ texts: string[]; pngs: Buffer[] }> {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, verbosity: 0 }).promise;
  const texts: string[] = [];
  const pngs: Buffer[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    texts.push(content.items.map((x) => ('str' in x ? x.str : '')).join('').replace(/\s+/g, ''));
    if (i <= 2) {
      const viewport = page.getViewport({ scale: 1.5 });
      const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
      const context = canvas.getContext('2d');
      context.fillStyle = '#fff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      await page.render({ canvas: canvas as never, canvasContext: context as never, viewport }).promise;
      pngs.push(canvas.toBuffer('image/png'));
    }
  }
  return { texts, pngs };
}

async function printToPdf(page: Page, name: string): Promise<{ texts: string[] }> {
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
  writeFileSync(`${ARTIFACTS}/${name}.pdf`, pdf);
  const { texts, pngs } = await pdfPages(pdf);
  pngs.forEach((png, i) => writeFileSync(`${ARTIFACTS}/screenshots/${name}-page-${i + 1}.png`, png));
  return { texts };
}

async function openWorkbench(page: Page, number: string) {
  await page.goto(`${base()}/lab/bookings/${number}`);
  expect(await page.locator('h1').textContent()).to.contain(number);
}

/** Entered by one, verified by a colleague, approved by the node's authorised signatory. */
async function verifyAndApprove(page: Page, number: string, verifier: string, approver: string) {
  await logout(page);
  await loginAs(page, base(), verifier, DEMO_PASSWORD);
  await openWorkbench(page, number);
  await page.getByRole('button', { name: '审核通过' }).click();
  await logout(page);
  await loginAs(page, base(), approver, DEMO_PASSWORD);
  await openWorkbench(page, number);
  await page.getByRole('button', { name: '签发报告' }).click();
  expect(await page.textContent('body')).to.contain('报告已签发');
}

describe('what users read and print', () => {
  afterEach(async () => {
    const sessions = open.splice(0);
    const violations = (await Promise.all(sessions.map((s) => s.a11y()))).flat();
    const problems = sessions.flatMap((s) => s.problems);
    await Promise.all(sessions.map((s) => s.context.close().catch(() => undefined)));
    expect(violations, 'accessibility (axe, serious/critical)').to.deep.equal([]);
    expect(problems, 'browser console errors').to.deep.equal([]);
  });

  it('a service page is a 办事指南 with fees, phones and downloadable templates (desktop and phone)', async () => {
    for (const [name, viewport] of [['desktop', DESKTOP], ['mobile', MOBILE]] as const) {
      const { page } = await session(viewport);
      await page.goto(`${base()}/services/CAL-PG`);
      const main = (await page.textContent('main'))!;
      for (const section of ['用途与范围', '强检范围', '检定周期', '办理流程', '需准备的材料', '收费标准', '办结时限', '咨询电话', '法律依据']) expect(main).to.contain(section);
      await page.screenshot({ path: `${ARTIFACTS}/screenshots/service-guide-${name}.png`, fullPage: false });
      if (name === 'desktop') {
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '器具清单' }).click()]);
        expect(download.suggestedFilename()).to.match(/^器具清单-.*\.xlsx$/);
        await page.locator('#g-fees').scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${ARTIFACTS}/screenshots/service-guide-fees-desktop.png`, fullPage: false });
      }
    }
  });

  it('a 16-item oil test booked urgent and bilingual prints as a signed COA: method, unit, limit, result, judgement; signatures with the conclusion', async () => {
    const { page } = await session();
    await loginAs(page, base(), '13900000301', DEMO_PASSWORD); // 黄海, bunker supplier
    await page.goto(`${base()}/services/YP-ISO8217`);
    await page.getByRole('listitem').filter({ hasText: '舟山国际油品检测实验室' }).getByRole('link', { name: '在此网点预约' }).click();
    await page.locator('input[name="slot"]').first().check();
    await page.getByLabel('样品名称').fill('低硫燃料油 VLSFO');
    await page.getByLabel('产品牌号').selectOption({ label: 'ISO 8217 RMG 380 残渣船用燃料油' });
    await page.getByLabel('规格版本（判定依据）').selectOption('ISO 8217:2017');
    await page.getByLabel('硫含量判定要求').selectOption('global');
    await page.getByLabel('燃油交付单（BDN）编号（选填）').fill('BDN-PRINT-0001');
    await page.getByLabel('铅封号').fill('ZS-PRINT-0001');
    await page.getByLabel('样品来源').selectOption({ label: '供油驳船' });
    await page.getByLabel('船名 / 罐号 / 驳船名').fill('舟港油 18');
    await page.getByLabel('取样日期').fill(new Date(Date.now() - 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }));
    await page.getByLabel('选择套餐').selectOption('PKG-RM-FULL');
    await page.getByLabel('出具中英文双语报告').check();
    await page.getByLabel(/^加急（加收 \d+%）$/).check();
    await page.getByRole('button', { name: '下一步：核对信息' }).click();
    const review = (await page.textContent('main'))!;
    expect(review).to.contain('中英文双语').and.match(/加急（\d+%）/);
    await page.getByRole('button', { name: '确认提交' }).click();
    await page.waitForURL(/\/bookings\/YP-/);
    const number = (await page.locator('h1 .font-monospace').first().textContent())!.trim();
    await logout(page);

    await loginAs(page, base(), '13900000021', DEMO_PASSWORD); // 何兰
    await openWorkbench(page, number);
    await page.getByRole('button', { name: '受理', exact: true }).click();
    await page.getByPlaceholder(/样品状态/).fill('铅封完好，样品瓶无渗漏，约 800 mL');
    await page.getByRole('button', { name: '登记收样' }).click();
    await page.getByRole('button', { name: '开始检测' }).click();
    const values: Record<string, string> = {
      '密度（15 ℃）': '985.2', '运动黏度（50 ℃）': '350', '计算碳芳香度指数（CCAI）': '848', '硫含量': '0.48', '闪点（闭口）': '68', '硫化氢': '0.5',
      '酸值': '1.2', '总沉淀物（老化法）': '0.05', '残炭（微量法）': '12', '倾点': '15', '水分': '0.2', '灰分': '0.05', '钒': '120', '钠': '30',
      '铝+硅': '25', '钙（Ca）含量，mg/kg': '12', '锌（Zn）含量，mg/kg': '5', '磷（P）含量，mg/kg': '4',
    };
    for (const [name, value] of Object.entries(values)) await page.getByLabel(name, { exact: true }).fill(value);
    await page.getByRole('button', { name: '提交结果，交由他人审核' }).click();
    await verifyAndApprove(page, number, '13900000022', '13900000020');
    await logout(page);

    await loginAs(page, base(), '13900000301', DEMO_PASSWORD);
    await page.goto(`${base()}/bookings/${number}`);
    await page.getByRole('link', { name: '查看 / 打印' }).click();
    const header = (await page.locator('.report-lines thead').textContent())!.replace(/\s+/g, '');
    expect(header).to.contain('检测项目').and.contain('检测方法').and.contain('单位').and.contain('限值').and.contain('结果').and.contain('单项判定');
    expect(await page.locator('.report-lines tbody tr').count()).to.equal(16);
    const density = (await page.locator('.report-lines tr', { hasText: '密度（15 ℃）' }).textContent())!;
    expect(density).to.contain('ISO 3675').and.contain('kg/m³').and.contain('≤ 991').and.contain('985.2').and.contain('合格').and.contain('Density at 15');
    const main = (await page.textContent('main'))!;
    expect(main).to.contain('铅封完好，样品瓶无渗漏').and.contain('TEST REPORT').and.contain('本报告仅对所检样品负责').and.contain('不得部分复制');
    await page.screenshot({ path: `${ARTIFACTS}/screenshots/report-oil-desktop.png`, fullPage: false });

    const { texts } = await printToPdf(page, 'report-oil');
    expect(texts.length, 'pages of the 16-item bilingual report').to.be.within(1, 2);
    const reportNo = (await page.locator('.run-head-no .font-monospace').first().textContent())!.trim();
    texts.forEach((t, i) => {
      expect(t, `page ${i + 1} numbered`).to.contain(`第${i + 1}页共${texts.length}页`);
      expect(t, `page ${i + 1} carries the report number`).to.contain(reportNo);
    });
    const signed = texts.findIndex((t) => t.includes('签发日期'));
    expect(signed, 'the page with the signatures').to.be.at.least(0);
    expect(texts[signed], 'conclusion with the signatures').to.contain('检测结论').and.contain('签发日期');
    expect(texts.filter((t) => t.includes('签发日期'))).to.have.length(1);
    // never alone: the page that carries the signatures also carries result lines
    expect(texts[signed], 'result lines on the signature page').to.match(/(废润滑油|铝\+硅|钠|灰分)/);
  });

  it('a three-instrument calibration prints one certificate per instrument, titled by its result, each signed with its conclusion', async () => {
    const { page } = await session();
    await loginAs(page, base(), '13900000101', DEMO_PASSWORD); // 张伟, 海星船舶
    await page.goto(`${base()}/services/CAL-PG`);
    await page.getByRole('listitem').filter({ hasText: '定海工业园区服务站' }).getByRole('link', { name: '在此网点预约' }).click();
    await page.locator('input[name="slot"]').first().check();
    for (const [i, serial] of ['PR-001', 'PR-002', 'PR-003'].entries()) {
      if (i > 0) await page.getByRole('button', { name: '＋ 添加一行' }).click();
      await page.getByLabel(`第 ${i + 1} 行 出厂编号`).fill(serial);
      await page.getByLabel(`第 ${i + 1} 行 型号规格`).fill('Y-100');
      await page.getByLabel(`第 ${i + 1} 行 测量范围`).fill('(0～1.6) MPa');
      await page.getByLabel(`第 ${i + 1} 行 准确度等级`).fill('1.6 级');
    }
    await page.getByRole('button', { name: '直接提交' }).click();
    await page.waitForURL(/\/bookings\/JL-/);
    const number = (await page.locator('h1 .font-monospace').first().textContent())!.trim();
    await logout(page);

    await loginAs(page, base(), '13900000031', DEMO_PASSWORD); // 孙强
    await openWorkbench(page, number);
    await page.getByRole('button', { name: '受理', exact: true }).click();
    for (const field of await page.getByPlaceholder(/外观/).all()) await field.fill('外观完好，指针无松动');
    await page.getByRole('button', { name: '登记收样 / 到场' }).click();
    await page.getByRole('button', { name: '开始检测' }).click();
    const outcomes = [['pass', '检定证书'], ['calibrated', '校准证书'], ['fail', '检定结果通知书']] as const;
    for (const [i, serial] of ['PR-001', 'PR-002', 'PR-003'].entries()) {
      const box = page.locator('fieldset').filter({ hasText: serial });
      await box.getByLabel('结论', { exact: true }).selectOption(outcomes[i]![0]);
      await box.getByLabel('证书编号').fill(`DH-PR-${i + 1}`);
      await box.getByLabel('读数单位').fill('MPa');
      await box.getByLabel('最大允许误差（合格判定用）').fill('±0.026');
      // the 不合格 gauge reads 1.25 at 1.2 MPa: +0.05, beyond the MPE
      for (const [p, [nominal, measured]] of [['0.4', '0.41'], ['0.8', '0.79'], ['1.2', i === 2 ? '1.25' : '1.22']].entries()) {
        await box.getByLabel(`第 ${p + 1} 点标称值`).fill(nominal!);
        await box.getByLabel(`第 ${p + 1} 点实测值`).fill(measured!);
        await box.getByLabel(`第 ${p + 1} 点不确定度`).fill('0.008 MPa');
      }
    }
    await page.getByLabel('环境温度（℃）').fill('20.4');
    await page.getByLabel('相对湿度（%RH）').fill('56');
    await page.getByRole('button', { name: '提交结果，交由他人审核' }).click();
    await verifyAndApprove(page, number, '13900000032', '13900000030');
    await page.goto(`${base()}/bookings/${number}/reports/1`);
    const titles = await page.locator('.certificate h1').allTextContents();
    expect(titles).to.deep.equal(outcomes.map((o) => o[1]));
    expect(await page.locator('.certificate').first().textContent()).to.contain('标称值').and.contain('示值误差').and.contain('扩展不确定度').and.contain('有效期至').and.contain('外观完好');
    // traced: the standard it was made with, its certificate and validity, and where and in what environment
    expect(await page.locator('.certificate').first().textContent()).to.contain('本次检定所使用的计量标准').and.contain('浙量标舟证字').and.contain('温度 20.4 ℃').and.contain('相对湿度 56 %RH');

    const { texts } = await printToPdf(page, 'report-calibration');
    expect(texts, 'one page per certificate').to.have.length(3);
    texts.forEach((t, i) => {
      expect(t).to.contain(`第${i + 1}页共3页`).and.contain(`DH-PR-${i + 1}`).and.contain(outcomes[i]![1]);
      expect(t, `certificate ${i + 1}: its conclusion with its signatures`).to.contain('签发日期').and.contain(i === 1 ? '校准结果：' : '检定结论：');
    });
  });

  it('no page of any role shows Latin-script prose (English notes, internal codes)', async function () {
    this.timeout(600_000);
    const roles: [string, string | null, string][] = [
      ['visitor', null, '/'],
      ['enterprise', '13900000101', '/bookings'],
      ['lab_staff', '13900000021', '/lab'],
      ['node_manager', '13900000010', '/lab'],
      ['park_admin', '13900000002', '/admin'],
      ['platform_admin', '13900000001', '/admin'],
    ];
    const report: string[] = [];
    let visited = 0;
    for (const [role, who, start] of roles) {
      const context = await env.browser!.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      try {
        const page = await context.newPage();
        if (who) await loginAs(page, base(), who, DEMO_PASSWORD);
        const result = await crawlForProse(page, base(), start, { max: 120, perShapeOf: role === 'visitor' ? { '/services/:code': 100 } : {} });
        visited += result.visited.length;
        report.push(...result.errors.map((e) => `${role} ${e}`));
        report.push(...result.findings.map((f) => `${role} ${f.url}: “${f.finding.text}” (${f.finding.reason}) … ${f.finding.context}`));
      } finally {
        await context.close();
      }
    }
    console.log(`  prose check: ${visited} pages of 6 roles`);
    expect(visited).to.be.greaterThan(150);
    expect(report, 'Latin-script prose or server errors').to.deep.equal([]);
  });
});
