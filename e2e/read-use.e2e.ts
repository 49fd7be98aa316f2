import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { loginAs, MOBILE, DESKTOP, newSession } from './support/browser.js';
import { DEMO_PASSWORD } from './support/helpers.js';
import { ARTIFACTS, env } from './support/hooks.js';
import { checkedSessions } from './support/sessions.js';

/**
 * What users read and follow: the 办件进度 bar and the public /track lookup behind the receipt's QR code, the holiday
 * calendar the platform admin keeps, dashboards that lead to the bookings behind their figures, the 大字版 switch.
 * Through the pages as people use them, on the demo data (the journeys file runs first on the same server).
 */
const COMPANY = ['13900000101', DEMO_PASSWORD] as const; // 张伟, 舟山海星船舶修造有限公司
const ADMIN = ['13900000001', DEMO_PASSWORD] as const;
const PARK = ['13900000002', DEMO_PASSWORD] as const; // 定海工业园区

const base = () => env.server!.url;

/** The company's first booking in a stage, opened from the list's filter as a person would. */
async function openBookingIn(page: Page, stage: string): Promise<string> {
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的预约' }).click();
  await page.getByLabel('状态').selectOption({ label: stage });
  await page.getByRole('button', { name: '筛选' }).click();
  await page.locator('table a.font-monospace').first().click();
  return (await page.locator('h1 .font-monospace').first().textContent())!.trim();
}

const totalOf = async (page: Page) => Number(/共 (\d+) 条/.exec((await page.locator('[role="status"]').first().textContent()) ?? '')?.[1]);

describe('what users read and follow', () => {
  const session = checkedSessions();

  it('8. a company follows its booking on the step bar; the receipt’s QR opens /track, which shows stages and dates only', async () => {
    const { page } = await session();
    await loginAs(page, base(), ...COMPANY);
    const number = await openBookingIn(page, '检测中');
    const steps = page.locator('.progress-steps li');
    expect(await steps.count()).to.equal(8);
    expect(await steps.nth(0).getAttribute('class')).to.contain('step-done');
    expect(await page.locator('.progress-steps li[aria-current="step"]').textContent()).to.contain('提交结果');
    expect(await steps.nth(6).textContent()).to.contain('办结期限');
    const mobile = /1\d{10}/.exec((await page.locator('dt:has-text("联系人") + dd').textContent())!)![0];
    await page.getByRole('link', { name: '打印回执' }).click();
    const receipt = (await page.locator('main').textContent())!;
    const url = /查询地址：(\S+)/.exec(receipt)![1]!;
    expect(url).to.equal(`${base()}/track?no=${number}`);

    // Someone scans the QR code on the printed receipt: a phone, not signed in.
    const phone = await session(MOBILE);
    await phone.page.goto(url);
    expect(await phone.page.getByLabel('预约号').inputValue()).to.equal(number);
    await phone.page.getByLabel('联系人手机号后 4 位').fill(mobile.slice(-4));
    await phone.page.getByRole('button', { name: '查询' }).click();
    const result = (await phone.page.locator('main').textContent())!;
    expect(result).to.contain(number).and.contain('检测中').and.contain('出具报告');
    expect(result).not.to.contain('舟山海星船舶修造有限公司').and.not.to.contain(mobile);
    await phone.page.screenshot({ path: `${ARTIFACTS}/screenshots/track-mobile.png`, fullPage: true });
  });

  it('9. the platform admin enters next year’s holidays from the State Council notice: per-line errors, preview, save, withdraw', async () => {
    const { page } = await session();
    page.on('dialog', (d) => void d.accept());
    await loginAs(page, base(), ...ADMIN);
    await page.getByRole('link', { name: '管理后台' }).click();
    await page.getByRole('link', { name: '节假日' }).click();
    expect(await page.locator('h1').textContent()).to.equal('法定节假日与调休');
    expect(await page.locator('#current-heading').textContent()).to.contain('2027 年');
    expect(await page.locator('section[aria-labelledby="current-heading"]').textContent()).to.contain('预估（官方安排未发布）');
    await page.getByLabel('文件依据').fill('国办发明电〔2026〕9号');
    const lines = [
      '一、元旦：1月1日（周五）至3日（周日）放假，共3天。',
      '二、春节：2月5日（农历除夕、周五）至11日（农历正月初六、周四）放假调休，共7天。1月31日（周日）、2月20日（周六）上班。',
      '七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。',
    ];
    await page.getByLabel(/^放假安排/).fill([...lines, '八、调休：10月11日（周一）上班。'].join('\n'));
    await page.getByRole('button', { name: /^保存/ }).click();
    expect(await page.locator('#f-text-error').textContent()).to.contain('第 4 行：没有找到“调休”的放假日期');
    await page.getByLabel(/^放假安排/).fill(lines.join('\n'));
    await page.getByRole('button', { name: '预览' }).click();
    expect(await page.locator('#preview-heading').textContent()).to.contain('2027 年放假 17 天，调休上班 4 天（尚未保存）');
    await page.getByRole('button', { name: '保存 2027 年安排' }).click();
    expect(await page.textContent('body')).to.contain('2027 年放假安排已保存');
    expect(await page.locator('section[aria-labelledby="current-heading"]').textContent()).to.contain('已录入官方安排');
    await page.screenshot({ path: `${ARTIFACTS}/screenshots/calendar-desktop.png`, fullPage: false });
    // withdrawn again, so the demo keeps its estimate for the other journeys
    await page.getByRole('button', { name: '撤回录入的安排' }).click();
    expect(await page.textContent('body')).to.contain('已撤回 2027 年录入的放假安排');
  });

  it('10. dashboards lead to the bookings behind their figures; a park administrator reads only the park’s companies', async () => {
    const admin = await session();
    await loginAs(admin.page, base(), ...ADMIN);
    await admin.page.getByRole('link', { name: '管理后台' }).click();
    await admin.page.waitForSelector('canvas');
    const completed = Number(/已办结 (\d+)/.exec((await admin.page.locator('.kpi-card', { hasText: '办结率' }).textContent())!)![1]);
    await admin.page.locator('.kpi-card', { hasText: '办结率' }).getByRole('link').click();
    await admin.page.waitForURL(/\/admin\/bookings\?/);
    expect(await totalOf(admin.page)).to.equal(completed);
    expect(await admin.page.textContent('main')).to.contain('状态：已办结');
    await admin.page.goBack();
    await admin.page.locator('#table-nodes tbody a', { hasText: '舟山国际油品检测实验室' }).click();
    expect(await admin.page.textContent('main')).to.contain('网点：舟山国际油品检测实验室');

    const park = await session();
    await loginAs(park.page, base(), ...PARK);
    await park.page.getByRole('link', { name: '园区统计' }).click();
    await park.page.waitForSelector('canvas');
    const total = Number((await park.page.locator('#kpi-total').textContent())!.trim());
    await park.page.locator('.kpi-card', { hasText: '预约总数' }).getByRole('link').click();
    expect(await totalOf(park.page)).to.equal(total);
    const list = (await park.page.locator('main table').textContent())!;
    expect(list).to.contain('舟山海星船舶修造有限公司').and.not.contain('浙江鱼山石化储运有限公司');
    expect(await park.page.locator('main form[method="post"]').count()).to.equal(0);
  });

  it('11. 大字版: a visitor switches it on once and it stays on from page to page', async () => {
    const { page } = await session(MOBILE);
    await page.goto(base());
    await page.locator('.navbar-toggler').click();
    await page.getByRole('link', { name: /^大字版/ }).click();
    expect(await page.locator('body').getAttribute('class')).to.contain('large-text');
    await page.locator('.navbar-toggler').click();
    await page.getByRole('link', { name: '服务网点', exact: true }).click();
    expect(await page.locator('body').getAttribute('class')).to.contain('large-text');
    const size = await page.evaluate('parseFloat(getComputedStyle(document.documentElement).fontSize)');
    expect(size).to.equal(20);
    await page.screenshot({ path: `${ARTIFACTS}/screenshots/large-text-mobile.png`, fullPage: false });
    await page.locator('.navbar-toggler').click();
    await page.getByRole('link', { name: /^标准版/ }).click();
    expect(await page.locator('body').getAttribute('class')).not.to.contain('large-text');
  });
});

describe('screenshots of what users read', () => {
  const shots: [string, readonly [string, string] | null, (page: Page) => Promise<void>][] = [
    ['booking-progress', COMPANY, async (page) => void (await openBookingIn(page, '检测中'))],
    ['dashboard-drilldown', ADMIN, async (page) => {
      await page.getByRole('link', { name: '管理后台' }).click();
      await page.locator('.kpi-card', { hasText: '当前在办' }).locator('#kpi-open').click();
      await page.waitForURL(/\/admin\/bookings\?/);
    }],
  ];
  for (const [viewportName, viewport] of [['desktop', DESKTOP], ['mobile', MOBILE]] as const) {
    it(`saves ${viewportName} screenshots of the step bar and a drill-down list`, async () => {
      for (const [name, account, go] of shots) {
        const s = await newSession(env.browser!, viewport);
        try {
          if (account) await loginAs(s.page, base(), ...account);
          if (viewportName === 'mobile') await s.page.locator('.navbar-toggler').click();
          await go(s.page);
          await s.page.screenshot({ path: `${ARTIFACTS}/screenshots/${name}-${viewportName}.png`, fullPage: false });
          expect(await s.a11y(), `${name} ${viewportName}`).to.deep.equal([]);
        } finally {
          await s.context.close();
        }
      }
    });
  }
});
