import { expect } from 'chai';
import { loginAs, MOBILE } from './support/browser.js';
import { DEMO_PASSWORD, freshCreditCode, freshMobile } from './support/helpers.js';
import { ARTIFACTS, env } from './support/hooks.js';
import { checkedSessions } from './support/sessions.js';

/**
 * 线上线下联动: a walk-in at the Putuo station's window (陈杰 holds the window duty) for a company not on the platform —
 * registered there, booked on its behalf, a printed receipt with a claim code, a queue ticket called on the hall's
 * screen — and the company claiming its account online and finding the window's booking; then a company admin
 * inviting a colleague.
 */
const WINDOW_STAFF = ['13900000051', DEMO_PASSWORD] as const; // 陈杰, 普陀经济开发区服务站
const COMPANY_ADMIN = ['13900000101', DEMO_PASSWORD] as const; // 张伟, 舟山海星船舶修造有限公司
const base = () => env.server!.url;
const shot = (name: string) => `${ARTIFACTS}/screenshots/${name}.png`;

describe('the walk-in window and the company workspace', () => {
  const session = checkedSessions();
  const state = { company: `舟山普陀海之韵船舶设备有限公司`, creditCode: freshCreditCode(), number: '', claimCode: '', nodeId: '' };

  it('10. window staff register a company with no account, book for it through the booking form, and print the receipt with a claim code', async () => {
    const { page } = await session();
    await loginAs(page, base(), ...WINDOW_STAFF);
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '线下窗口' }).click();
    await page.getByLabel(/拼音首字母/).fill('zsptyx');
    await page.getByRole('button', { name: '查找' }).click();
    expect(await page.locator('#company-results').textContent()).to.contain('舟山普陀永兴五金机电有限公司');

    await page.getByRole('link', { name: '登记新企业' }).click();
    await page.getByLabel('企业名称（与营业执照一致）').fill(state.company);
    await page.getByLabel('统一社会信用代码').fill(state.creditCode);
    await page.getByLabel('企业地址').fill('舟山市普陀区东港街道海韵路 8 号');
    await page.getByRole('button', { name: '登记', exact: true }).click();
    expect(await page.locator('h1').textContent()).to.contain(state.company);
    await page.getByLabel('来办人姓名').fill('林海韵');
    await page.getByLabel('来办人手机号').fill('13705809876');
    await page.getByLabel('证件号后四位').fill('402X');
    await page.getByRole('button', { name: '开始受理' }).click();
    expect(await page.locator('h1').textContent()).to.contain(`受理：${state.company}`);

    await page.locator('#case-services a[href*="service=CAL-PG"]').click();
    expect(await page.locator('h1').textContent()).to.contain(`代${state.company}预约`);
    await page.locator('input[name="slot"]').first().check();
    await page.getByLabel('第 1 行 出厂编号').fill('HZY-PG-001');
    await page.getByLabel('第 1 行 型号规格').fill('Y-100');
    await page.locator('#f-contactName').fill('林海韵');
    await page.locator('#f-contactMobile').fill('13705809876');
    await page.getByRole('button', { name: '直接提交' }).click();
    const made = page.locator('#case-bookings tbody tr').first();
    state.number = (await made.locator('td').first().textContent())!.trim();
    expect(state.number).to.match(/^JL-\d{8}-\d{4}$/);
    await page.screenshot({ path: shot('window-case'), fullPage: true });

    await page.getByRole('button', { name: '打印受理回执' }).click();
    const receipt = (await page.locator('main').textContent())!;
    expect(receipt).to.contain(state.number).and.contain('林海韵').and.contain('陈杰');
    state.claimCode = (await page.locator('#claim-code').textContent())!.trim();
    expect(state.claimCode).to.match(/^[0-9A-Z]{4}(-[0-9A-Z]{1,4}){6}$/);
    await page.screenshot({ path: shot('window-receipt'), fullPage: true });
  });

  it('11. a walk-in takes a ticket, is called on the hall screen, and served', async () => {
    const { page } = await session();
    await loginAs(page, base(), ...WINDOW_STAFF);
    await page.goto(`${base()}/window/queue`);
    await page.getByLabel('办理事项').selectOption({ label: '计量' });
    await page.getByRole('button', { name: '取号', exact: true }).click();
    const flash = (await page.locator('.alert-success').first().textContent())!;
    const label = /取号 ([A-Z]\d{3})/.exec(flash)![1]!;
    const row = page.locator(`tr[data-ticket="${label}"]`);
    await row.getByRole('button', { name: '叫号' }).click();
    await page.screenshot({ path: shot('window-queue'), fullPage: true });
    state.nodeId = /\/nodes\/(\d+)\/queue/.exec((await page.getByRole('link', { name: '打开叫号大屏' }).getAttribute('href'))!)![1]!;

    const hall = await session();
    await hall.page.goto(`${base()}/nodes/${state.nodeId}/queue`);
    expect(await hall.page.locator('#queue-calling').textContent()).to.contain(label);
    await hall.page.screenshot({ path: shot('window-queue-screen') });
    await page.locator(`tr[data-ticket="${label}"]`).getByRole('button', { name: '办结' }).click();
    expect(await page.locator(`tr[data-ticket="${label}"]`).textContent()).to.contain('已办结');
    // the screen reloads itself: the served number leaves it
    let shown = true;
    for (let i = 0; i < 25 && shown; i++) {
      await hall.page.waitForTimeout(1000);
      shown = await hall.page.locator('#queue-calling').textContent().then((t) => (t ?? '').includes(label), () => true);
    }
    expect(shown, 'the screen refreshed without the served number').to.equal(false);
  });

  it('12. the company registers with the receipt’s claim code, becomes its admin and finds the window’s booking', async () => {
    const { page } = await session(MOBILE);
    const password = 'Haiyun-2026-ok';
    await page.goto(`${base()}/register`);
    await page.getByLabel('企业名称（与营业执照一致）').fill(state.company);
    await page.getByLabel('统一社会信用代码').fill(state.creditCode);
    await page.getByLabel('企业地址').fill('舟山市普陀区东港街道海韵路 8 号');
    await page.getByLabel('认领码（选填）').fill(state.claimCode.toLowerCase());
    await page.getByLabel('联系人姓名').fill('林海韵');
    await page.getByLabel('手机号（用于登录）').fill(freshMobile());
    await page.getByLabel(/^设置密码/).fill(password);
    await page.getByLabel('再次输入密码').fill(password);
    await page.getByLabel(/我已阅读并同意/).check();
    await page.getByRole('button', { name: '注册' }).click();
    expect(await page.locator('.alert-success').first().textContent()).to.contain('认领成功');
    expect(await page.locator('main').textContent()).to.contain(state.number);
    await page.screenshot({ path: shot('window-claimed-mobile'), fullPage: true });
  });

  it('13. a company admin invites a colleague, who sets a password and sees the company’s bookings', async () => {
    const { page } = await session();
    await loginAs(page, base(), ...COMPANY_ADMIN);
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '企业空间' }).click();
    expect(await page.locator('#colleagues').textContent()).to.contain('企业管理员');
    await page.screenshot({ path: shot('company-workspace'), fullPage: true });
    await page.getByLabel('同事手机号').fill(freshMobile());
    await page.getByRole('button', { name: '生成邀请' }).click();
    const link = (await page.locator('#invitation-link').textContent())!.trim();

    const colleague = await session();
    await colleague.page.goto(link.replace(/^https?:\/\/[^/]+/, base()));
    await colleague.page.getByLabel('您的姓名').fill('王新同事');
    await colleague.page.getByLabel(/^设置密码/).fill('Colleague-2026');
    await colleague.page.getByLabel('再次输入密码').fill('Colleague-2026');
    await colleague.page.getByRole('button', { name: '加入并登录' }).click();
    expect(await colleague.page.locator('h1').first().textContent()).to.contain('我的预约');
    expect(await colleague.page.locator('table a.font-monospace').count()).to.be.greaterThan(0);
  });
});
