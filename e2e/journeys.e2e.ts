import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { ARTIFACTS, env } from './support/hooks.js';
import { loginAs, logout, newSession } from './support/browser.js';
import { checkedSessions } from './support/sessions.js';
import { DEMO_PASSWORD, freshCreditCode, freshMobile } from './support/helpers.js';

/**
 * The main journeys, through the pages as a person uses them: labels and buttons they see, no internal URLs typed
 * except where a person would type one (the verification page), no database writes.
 */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

const state: { company?: string; mobile?: string; password: string; booking?: string; oilBooking?: string } = { password: 'Harbour-2026' };

function base(): string {
  return env.server!.url;
}

async function bookingNumberOn(page: Page): Promise<string> {
  const text = await page.locator('h1 .font-monospace').first().textContent();
  return text!.trim();
}

async function openWorkbench(page: Page, number: string) {
  await page.getByRole('link', { name: '工作台', exact: true }).click();
  await page.getByLabel('按预约号或企业名称搜索').fill(number);
  await page.getByRole('button', { name: '搜索' }).click();
  try {
    await page.getByRole('link', { name: number }).click();
  } catch (err) {
    await page.screenshot({ path: `${ARTIFACTS}/failure-workbench-${number}.png`, fullPage: true });
    throw err;
  }
  await expect(await page.locator('h1').textContent()).to.contain(number);
}

describe('journeys in a real browser', () => {
  // Every page every session loaded is checked by axe; none may have serious or critical violations, and no page may
  // log an error (a CSP violation would).
  const session = checkedSessions();

  it('1. a new company signs up, books two pressure gauges at a park station with an instrument list, sees the receipt and finds the booking', async () => {
    const { page, context, problems } = await session();
    try {
      await page.goto(base());
      await page.getByRole('link', { name: '企业注册' }).first().click();
      state.company = `舟山蓝海船舶服务有限公司${String(Date.now()).slice(-4)}`;
      state.mobile = freshMobile();
      await page.getByLabel('企业名称（与营业执照一致）').fill(state.company);
      await page.getByLabel('统一社会信用代码').fill(freshCreditCode());
      await page.getByLabel('所在园区').selectOption({ label: '定海工业园区（定海区）' });
      await page.getByLabel('企业地址').fill('舟山市定海区白泉镇工业园区海港路 9 号');
      await page.getByLabel('联系人姓名').fill('陈海');
      await page.getByLabel('手机号（用于登录）').fill(state.mobile);
      await page.getByLabel(/^设置密码/).fill(state.password);
      await page.getByLabel('再次输入密码').fill(state.password);
      await page.getByLabel(/我已阅读并同意/).check();
      await page.getByRole('button', { name: '注册' }).click();
      await page.waitForURL('**/bookings');
      expect(await page.textContent('body')).to.contain('注册成功');

      await page.getByRole('link', { name: '服务目录', exact: true }).click();
      await page.getByLabel('搜索服务').fill('压力表');
      await page.getByRole('button', { name: '搜索' }).click();
      await page.getByRole('link', { name: '一般压力表(弹性元件式) 检定/校准' }).click();
      await page.getByRole('listitem').filter({ hasText: '定海工业园区服务站' }).getByRole('link', { name: '在此网点预约' }).click();

      await page.locator('input[name="slot"]').first().check();
      await page.getByLabel('第 1 行 出厂编号').fill('Y100-2026-001');
      await page.getByLabel('第 1 行 型号规格').fill('Y-100');
      await page.getByRole('button', { name: '＋ 添加一行' }).click();
      await page.getByLabel('第 2 行 出厂编号').fill('Y100-2026-002');
      await page.getByLabel('第 2 行 型号规格').fill('Y-100');
      await page.getByLabel('计量器具清单').setInputFiles({ name: '器具清单.pdf', mimeType: 'application/pdf', buffer: PDF });
      expect(await page.locator('#units-total').textContent()).to.equal('2');
      await page.getByRole('button', { name: '下一步：核对信息' }).click();
      const review = await page.textContent('main');
      expect(review).to.contain('Y100-2026-001').and.contain('Y100-2026-002').and.contain('器具清单.pdf');
      await page.getByRole('button', { name: '确认提交' }).click();
      await page.waitForURL(/\/bookings\/JL-\d{8}-\d{4}$/);
      state.booking = await bookingNumberOn(page);
      expect(await page.textContent('body')).to.contain(`预约已提交，预约号 ${state.booking}`);

      await page.getByRole('link', { name: '打印回执' }).click();
      expect(await page.textContent('main')).to.contain('预约回执').and.contain(state.booking); // 受理回执 once the node accepts it
      expect(await page.locator('.qr-box svg').count()).to.equal(1);
      await page.getByRole('link', { name: '返回' }).click();
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的预约' }).click();
      expect(await page.getByRole('link', { name: state.booking }).count()).to.equal(1);
      expect(problems).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it('1k. the same journey with the keyboard alone', async () => {
    const { page, context, problems } = await session();
    const { tabTo, focused } = await import('./support/helpers.js');
    try {
      await page.goto(`${base()}/register`);
      const fill = async (label: string, value: string) => {
        await tabTo(page, (f) => f.label.startsWith(label), label);
        await page.keyboard.type(value);
      };
      await fill('企业名称', `舟山键盘测试有限公司${String(Date.now()).slice(-4)}`);
      await fill('统一社会信用代码', freshCreditCode());
      await tabTo(page, (f) => f.label.startsWith('所在园区'), '所在园区');
      await page.keyboard.press('ArrowDown'); // the first park
      await fill('企业地址', '舟山市定海区白泉镇键盘路 1 号');
      await fill('联系人姓名', '林键');
      await fill('手机号', freshMobile());
      await fill('设置密码', state.password);
      await fill('再次输入密码', state.password);
      await tabTo(page, (f) => f.label.startsWith('我已阅读并同意'), 'agree');
      await page.keyboard.press('Space');
      await tabTo(page, (f) => f.tag === 'button' && f.text === '注册', 'register button');
      await page.keyboard.press('Enter');
      await page.waitForURL('**/bookings');

      await tabTo(page, (f) => f.tag === 'a' && f.text.includes('新建预约'), 'new booking');
      await page.keyboard.press('Enter');
      await page.waitForURL('**/services');
      await tabTo(page, (f) => f.label === '搜索服务', 'search');
      await page.keyboard.type('压力表');
      await page.keyboard.press('Enter');
      await page.waitForURL(/q=/);
      await tabTo(page, (f) => f.tag === 'a' && f.text.includes('一般压力表(弹性元件式)'), 'service link');
      await page.keyboard.press('Enter');
      await page.waitForURL('**/services/CAL-PG');
      // the fourth offering node's link: tab through the nodes to the 定海 station's button
      await tabTo(page, (f) => f.tag === 'a' && f.text.includes('定海工业园区服务站'), 'station name');
      await tabTo(page, (f) => f.tag === 'a' && f.text === '在此网点预约', 'book here');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/bookings\/new/);
      await tabTo(page, (f) => f.name === 'slot', 'a window');
      await page.keyboard.press('Space');
      expect(await page.locator('input[name="slot"]:checked').count()).to.equal(1);
      await fill('第 1 行 出厂编号', 'KB-001');
      await tabTo(page, (f) => f.text === '＋ 添加一行', 'add row');
      await page.keyboard.press('Enter');
      expect((await focused(page)).label).to.equal('第 2 行 出厂编号'); // focus moved into the new row
      await tabTo(page, (f) => f.label === '计量器具清单', 'file input');
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
      await chooser.setFiles({ name: 'list.pdf', mimeType: 'application/pdf', buffer: PDF });
      // Submitted with the second serial number missing: refused, the file kept (listed as already uploaded), focus on
      // the field to correct, whose error clears as the number is typed.
      await tabTo(page, (f) => f.text === '直接提交', 'submit directly');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#form-error');
      await page.waitForLoadState('load'); // the page's scripts have run (they move focus to the first field to correct)
      expect(await page.locator('#kept-drafts').textContent()).to.contain('list.pdf');
      expect((await focused(page)).label).to.equal('第 2 行 出厂编号');
      await page.keyboard.type('KB-002');
      expect(await page.locator('#item-1-serialNo').getAttribute('class')).not.to.contain('is-invalid');
      await tabTo(page, (f) => f.text === '下一步：核对信息', 'review button');
      // The refused form was already at /bookings: wait for the review page itself, not for the URL.
      await Promise.all([page.waitForSelector('h1:has-text("确认预约信息")'), page.keyboard.press('Enter')]);
      expect(await page.textContent('main')).to.contain('list.pdf').and.contain('KB-002'); // the kept file goes with it
      await tabTo(page, (f) => f.text === '确认提交', 'submit');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/bookings\/JL-/);
      expect(await page.textContent('body')).to.contain('预约已提交');
      expect(problems).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it('2. station staff accept, receive and enter results; a colleague verifies; the report is issued and the company verifies it', async () => {
    const staff = await session();
    try {
      await loginAs(staff.page, base(), '13900000031', DEMO_PASSWORD); // 孙强, 定海工业园区服务站
      await openWorkbench(staff.page, state.booking!);
      await staff.page.getByRole('button', { name: '受理', exact: true }).click();
      expect(await staff.page.textContent('body')).to.contain('已受理');
      await staff.page.getByRole('button', { name: '登记收样 / 到场' }).click();
      await staff.page.getByRole('button', { name: '开始检测' }).click();
      for (const [i, serial] of ['Y100-2026-001', 'Y100-2026-002'].entries()) {
        const box = staff.page.locator('fieldset').filter({ hasText: serial });
        await box.getByLabel('结论', { exact: true }).selectOption('pass');
        await box.getByLabel('证书编号').fill(`DH2026-${String(i + 1).padStart(4, '0')}`);
        await box.getByLabel('第 1 点标称值').fill('1.0');
        await box.getByLabel('第 1 点实测值').fill(i === 0 ? '1.01' : '0.99');
        await box.getByLabel('读数单位').fill('MPa');
        await box.getByLabel('最大允许误差（合格判定用）').fill('±0.016');
        // the station's one pressure standard in date is ticked for each gauge
        expect(await box.getByRole('checkbox', { name: /活塞式压力计标准装置/ }).first().isChecked()).to.equal(true);
      }
      await staff.page.getByLabel('环境温度（℃）').fill('20.4');
      await staff.page.getByLabel('相对湿度（%RH）').fill('56');
      await staff.page.getByRole('button', { name: '提交结果，交由他人审核' }).click();
      expect(await staff.page.textContent('body')).to.contain('结果由您录入，需由其他检测人员审核');
      await logout(staff.page);

      await loginAs(staff.page, base(), '13900000032', DEMO_PASSWORD); // 郑丽 verifies
      await openWorkbench(staff.page, state.booking!);
      await staff.page.getByRole('button', { name: '审核通过' }).click();
      // the verifier may not also approve: the page says so instead of offering the button
      expect(await staff.page.textContent('body')).to.contain('您审核了这些结果');
      await logout(staff.page);
      await loginAs(staff.page, base(), '13900000030', DEMO_PASSWORD); // 王磊, the node's authorised signatory, approves
      await openWorkbench(staff.page, state.booking!);
      await staff.page.getByRole('button', { name: '签发报告' }).click();
      expect(await staff.page.textContent('body')).to.contain('报告已签发');
    } finally {
      await staff.context.close();
    }

    const company = await session();
    try {
      await loginAs(company.page, base(), state.mobile!, state.password);
      await company.page.getByRole('link', { name: state.booking! }).click();
      const timeline = await company.page.locator('.timeline').textContent();
      for (const step of ['提交预约', '受理', '收样 / 到场', '开始检测', '提交检测结果', '审核通过', '签发报告']) expect(timeline).to.contain(step);
      await company.page.getByRole('link', { name: '查看 / 打印' }).click();
      const reportNo = (await company.page.locator('th:has-text("报告编号") + td').textContent())!.replace(/（.*$/, '').trim();
      const code = (await company.page.locator('th:has-text("验证码") + td').textContent())!.trim();
      expect(await company.page.textContent('main')).to.contain('DH2026-0001').and.contain('合格');
      await company.page.getByRole('link', { name: '返回' }).click();
      await company.page.getByRole('link', { name: '报告验证' }).click();
      await company.page.getByLabel('报告编号').fill(reportNo);
      await company.page.getByLabel('验证码').fill(code);
      await company.page.getByRole('button', { name: '验证' }).click();
      const result = await company.page.locator('#verify-result').locator('..').locator('..').textContent();
      expect(result).to.contain('有效').and.contain(reportNo).and.contain('一般压力表');
      expect(company.problems).to.deep.equal([]);
    } finally {
      await company.context.close();
    }
  });

  it('3. an RMG 380 oil test with one value outside its limit: the report shows 不合格 for that item', async () => {
    const company = await session();
    try {
      await loginAs(company.page, base(), '13900000301', DEMO_PASSWORD); // 黄海, bunker supplier
      await company.page.getByRole('link', { name: '服务目录', exact: true }).click();
      await company.page.getByRole('link', { name: /^检验检测 \d+$/ }).click();
      await company.page.getByRole('link', { name: '船用燃料油检测（ISO 8217）' }).click();
      await company.page.getByRole('listitem').filter({ hasText: '舟山国际油品检测实验室' }).getByRole('link', { name: '在此网点预约' }).click();
      await company.page.locator('input[name="slot"]').first().check();
      await company.page.getByLabel('样品名称').fill('低硫燃料油 VLSFO');
      await company.page.getByLabel('产品牌号').selectOption({ label: 'ISO 8217 RMG 380 残渣船用燃料油' });
      await company.page.getByLabel('规格版本（判定依据）').selectOption('ISO 8217:2017');
      await company.page.getByLabel('硫含量判定要求').selectOption('global');
      await company.page.getByLabel('燃油交付单（BDN）编号（选填）').fill('BDN-E2E-0001');
      await company.page.getByLabel('铅封号').fill('ZS-E2E-0001');
      await company.page.getByLabel('样品来源').selectOption({ label: '供油驳船' });
      await company.page.getByLabel('船名 / 罐号 / 驳船名').fill('舟港油 18');
      const yesterday = new Date(Date.now() - 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
      await company.page.getByLabel('取样日期').fill(yesterday);
      await company.page.getByLabel('选择套餐').selectOption('PKG-RM-FULL');
      await company.page.getByRole('button', { name: '直接提交' }).click();
      await company.page.waitForURL(/\/bookings\/YP-/);
      state.oilBooking = await bookingNumberOn(company.page);
    } finally {
      await company.context.close();
    }

    const lab = await session();
    try {
      await loginAs(lab.page, base(), '13900000021', DEMO_PASSWORD); // 何兰
      await openWorkbench(lab.page, state.oilBooking!);
      await lab.page.getByRole('button', { name: '受理', exact: true }).click();
      await lab.page.getByRole('button', { name: '登记收样' }).click();
      await lab.page.getByRole('button', { name: '开始检测' }).click();
      const values: Record<string, string> = {
        '密度（15 ℃）': '995.2', '运动黏度（50 ℃）': '350', '计算碳芳香度指数（CCAI）': '858', '硫含量': '0.48', '闪点（闭口）': '68', '硫化氢': '0.5',
        '酸值': '1.2', '总沉淀物（老化法）': '0.05', '残炭（微量法）': '12', '倾点': '15', '水分': '0.2', '灰分': '0.05', '钒': '120', '钠': '30',
        '铝+硅': '25', '钙（Ca）含量，mg/kg': '12', '锌（Zn）含量，mg/kg': '5', '磷（P）含量，mg/kg': '4',
      };
      for (const [name, value] of Object.entries(values)) await lab.page.getByLabel(name, { exact: true }).fill(value);
      // judged as typed, by the same rule the server applies on submit
      expect(await lab.page.locator('tr', { hasText: '密度（15 ℃）' }).locator('output.live-judgement').textContent()).to.equal('不合格');
      expect(await lab.page.locator('tr', { hasText: '硫含量' }).locator('output.live-judgement').textContent()).to.equal('合格');
      await lab.page.getByRole('button', { name: '提交结果，交由他人审核' }).click();
      expect(await lab.page.textContent('body')).to.contain('结果已提交');
      await logout(lab.page);
      await loginAs(lab.page, base(), '13900000022', DEMO_PASSWORD); // 徐波 verifies
      await openWorkbench(lab.page, state.oilBooking!);
      await lab.page.getByRole('button', { name: '审核通过' }).click();
      await logout(lab.page);
      await loginAs(lab.page, base(), '13900000020', DEMO_PASSWORD); // 林海, authorised signatory, approves
      await openWorkbench(lab.page, state.oilBooking!);
      await lab.page.getByRole('button', { name: '签发报告' }).click();
    } finally {
      await lab.context.close();
    }

    const reader = await session();
    try {
      await loginAs(reader.page, base(), '13900000301', DEMO_PASSWORD);
      await reader.page.getByRole('link', { name: state.oilBooking! }).click();
      await reader.page.getByRole('link', { name: '查看 / 打印' }).click();
      const density = await reader.page.locator('.report-lines tr', { hasText: '密度（15 ℃）' }).textContent();
      expect(density).to.contain('995.2').and.contain('不合格').and.contain('≤ 991');
      const sulfur = await reader.page.locator('.report-lines tr', { hasText: '硫含量' }).textContent();
      expect(sulfur).to.contain('合格').and.not.contain('不合格');
      expect(await reader.page.textContent('main')).to.match(/结论：\s*不合格/);
    } finally {
      await reader.context.close();
    }
  });

  it('4. the park administrator sees the new bookings on the dashboard and downloads the CSV', async () => {
    const { page, context, problems } = await session();
    try {
      await loginAs(page, base(), '13900000002', DEMO_PASSWORD); // 定海工业园区
      await page.getByRole('link', { name: '园区统计' }).click();
      await page.waitForSelector('canvas'); // the charts drew
      const companies = await page.locator('#table-enterprises').textContent();
      expect(companies).to.contain(state.company!);
      const row = page.locator('#table-enterprises tr', { hasText: state.company! });
      expect((await row.locator('td').nth(1).textContent())!.trim()).to.equal('1'); // its booking from journey 1
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[href^="/admin/export/enterprises.csv"]').click()]);
      const bytes = readFileSync((await download.path())!);
      expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
      expect(bytes.toString('utf8')).to.contain(state.company!).and.contain('累计预约');
      expect(problems).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it('5. bad input shows its message: a wrong credit code, a too-large upload, a window that just filled up', async () => {
    const visitor = await session();
    try {
      await visitor.page.goto(`${base()}/register`);
      const code = freshCreditCode();
      const wrong = code.slice(0, 17) + (code[17] === 'A' ? 'B' : 'A');
      await visitor.page.getByLabel('企业名称（与营业执照一致）').fill('舟山错码测试有限公司');
      await visitor.page.getByLabel('统一社会信用代码').fill(wrong);
      await visitor.page.getByLabel('企业地址').fill('舟山市定海区测试路 1 号');
      await visitor.page.getByLabel('联系人姓名').fill('王错');
      await visitor.page.getByLabel('手机号（用于登录）').fill(freshMobile());
      await visitor.page.getByLabel(/^设置密码/).fill(state.password);
      await visitor.page.getByLabel('再次输入密码').fill(state.password);
      await visitor.page.getByLabel(/我已阅读并同意/).check();
      await visitor.page.getByRole('button', { name: '注册' }).click();
      const message = await visitor.page.locator('#f-creditCode-error').textContent();
      expect(message).to.contain('校验位');
      expect(await visitor.page.getByLabel('企业名称（与营业执照一致）').inputValue()).to.equal('舟山错码测试有限公司');
    } finally {
      await visitor.context.close();
    }

    const company = await session();
    try {
      await loginAs(company.page, base(), state.mobile!, state.password);
      await company.page.goto(`${base()}/services/CAL-PG`);
      await company.page.getByRole('listitem').filter({ hasText: '定海工业园区服务站' }).getByRole('link', { name: '在此网点预约' }).click();
      await company.page.locator('input[name="slot"]').first().check();
      await company.page.getByLabel('第 1 行 出厂编号').fill('BIG-001');
      await company.page.getByLabel('其他材料').setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([PDF, Buffer.alloc(11 * 1024 * 1024)]) });
      await company.page.getByRole('button', { name: '直接提交' }).click();
      expect(await company.page.locator('#attachments-error').textContent()).to.contain('超过 10 MB');
    } finally {
      await company.context.close();
    }

    // The platform sets the 嵊泗 station to one instrument per window; two companies aim at the same window.
    const admin = await session();
    try {
      await loginAs(admin.page, base(), '13900000001', DEMO_PASSWORD);
      await admin.page.getByRole('link', { name: '网点', exact: true }).click();
      await admin.page.getByRole('link', { name: '嵊泗服务站' }).click();
      const row = admin.page.locator('tr', { hasText: '一般压力表(弹性元件式) 检定/校准' });
      await row.getByLabel('上午').fill('1');
      await row.getByLabel('下午').fill('1');
      await row.getByRole('button', { name: '保存' }).click();
      expect(await admin.page.textContent('body')).to.contain('名额已调整');
    } finally {
      await admin.context.close();
    }
    const slow = await session();
    const fast = await session();
    try {
      for (const [s, who] of [[slow, [state.mobile!, state.password]], [fast, ['13900000101', DEMO_PASSWORD]]] as const) {
        await loginAs(s.page, base(), who[0], who[1]);
        await s.page.goto(`${base()}/services/CAL-PG`);
        await s.page.getByRole('listitem').filter({ hasText: '嵊泗服务站' }).getByRole('link', { name: '在此网点预约' }).click();
        await s.page.locator('input[name="slot"]').first().check();
        await s.page.getByLabel('第 1 行 出厂编号').fill(`FULL-${who[0].slice(-3)}`);
      }
      await fast.page.getByRole('button', { name: '直接提交' }).click();
      await fast.page.waitForURL(/\/bookings\/JL-/);
      await slow.page.getByRole('button', { name: '直接提交' }).click();
      const alert = await slow.page.locator('#slot-error').textContent();
      expect(alert).to.contain('这个时段刚刚约满');
      expect(await slow.page.textContent('main')).to.contain('最近还有名额的时段');
      await slow.page.screenshot({ path: `${ARTIFACTS}/screenshots/booking-refused-full-desktop.png`, fullPage: false });
      // The windows offered instead are choices of the same form: pick the first, send the kept form again.
      const offered = slow.page.getByRole('region', { name: /最近还有名额的时段/ }).getByRole('radio').first();
      const picked = await offered.getAttribute('value');
      await offered.check();
      await slow.page.getByRole('button', { name: '直接提交' }).click();
      await slow.page.waitForURL(/\/bookings\/JL-/);
      const [date, window] = picked!.split('|');
      expect(await slow.page.textContent('main')).to.contain(`FULL-${state.mobile!.slice(-3)}`).and.contain(`${Number(date!.slice(5, 7))}月${Number(date!.slice(8, 10))}日`).and.contain(window === 'am' ? '上午' : '下午');
    } finally {
      await slow.context.close();
      await fast.context.close();
    }
  });

  it('6. a company imports its ledger from the template, registers a water meter, books its overdue instruments in one click; the park sees its compliance', async () => {
    const { page } = await session();
    await loginAs(page, base(), '13900000101', DEMO_PASSWORD); // 舟山海星船舶修造有限公司
    await page.getByRole('link', { name: '器具台账', exact: true }).click();
    await expect(await page.locator('h1').textContent()).to.contain('计量器具台账');

    // the template, filled in as a person would (two good rows, one without a serial number)
    await page.getByRole('link', { name: '批量导入', exact: true }).first().click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /下载导入模板/ }).click()]);
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync((await download.path())!) as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('计量器具台账')!;
    const stamp = String(Date.now()).slice(-6);
    [
      ['可燃气体检测报警器', '可燃气体检测报警器', 'GT-2000', `E2E-${stamp}-1`, '汉威科技', '', '', '安环部', '2 号船坞', '是', '安全防护', '', '', '在用', '2026-01-15'],
      ['扭矩扳子', '扭矩扳子', 'TW-340', `E2E-${stamp}-2`, '世达', '', '', '机修车间', '', '否', '', '', '', '在用', ''],
      ['数显卡尺', '通用卡尺', '', '', '', '', '', '', '', '否'],
    ].forEach((row, i) => row.forEach((v, j) => (sheet.getCell(i + 2, j + 1).value = v)));
    await page.getByLabel(/台账文件/).setInputFiles({ name: '海星台账.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from(await wb.xlsx.writeBuffer()) });
    await page.getByRole('button', { name: '上传并预览' }).click();
    await page.waitForURL(/\/instruments\/import\//);
    expect(await page.textContent('main')).to.contain('第 4 行：出厂编号为空').and.to.contain('可导入 2 行');
    await page.getByRole('button', { name: '导入 2 台有效器具' }).click();
    await page.waitForURL(/\/instruments$/);
    expect(await page.textContent('main')).to.contain('已导入 2 台器具');

    // a water meter under 首次强检 + 限期使用: the regulation's use limit fills in with one click
    await page.getByRole('link', { name: '登记器具', exact: true }).first().click();
    await page.getByLabel('器具名称').fill('冷水水表 DN20');
    await page.getByLabel('器具类别').selectOption({ label: '水表(饮用冷水)（流量）' });
    await page.getByLabel('出厂编号').fill(`WM-${stamp}`);
    await page.getByLabel('是否强检').selectOption('yes');
    await page.getByLabel('强检用途').selectOption({ label: '贸易结算' });
    await page.getByRole('button', { name: /按此填写：DN ≤ 25 mm/ }).click();
    await page.getByLabel('上次检定/校准日期').fill('2021-05-20');
    await page.getByRole('button', { name: '登记', exact: true }).click();
    await page.waitForURL(/\/instruments\/\d+$/);
    const detail = await page.textContent('main');
    expect(detail).to.contain('2027-05-19').and.to.contain('使用期限 72 个月');

    // the overdue ones, two of them booked together
    await page.getByRole('link', { name: '计量器具台账' }).click();
    await page.locator('a[href="/instruments?due=overdue"]').click();
    const boxes = page.locator('#ledger-select input[name="ids"]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole('button', { name: '为所选器具一键预约' }).click();
    await page.waitForURL(/\/instruments\/book/);
    const submit = page.getByRole('button', { name: /确认提交 \d 个预约/ });
    const count = Number(/(\d) 个预约/.exec((await submit.textContent())!)![1]);
    await submit.click();
    await page.waitForURL(/\/bookings/);
    expect(await page.textContent('main')).to.contain(`已提交 ${count} 个预约`);

    // the calendar subscription: the address shown once, and what a calendar app reads there (the feed's library
    // loads on first use: a bundling mistake made this answer 500)
    await page.goto(`${base()}/instruments/settings`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: /生成订阅地址|重新生成地址/ }).click();
    const feedUrl = await page.getByLabel('订阅地址').inputValue();
    expect(feedUrl).to.match(/\/calendar\/[\w-]+\.ics$/);
    const feed = await page.request.get(feedUrl);
    expect(feed.status()).to.equal(200);
    expect(feed.headers()['content-type']).to.contain('text/calendar');
    const ics = await feed.text();
    expect(ics).to.contain('BEGIN:VCALENDAR').and.to.contain('BEGIN:VEVENT');

    // the park administrator: 强检 compliance of the park, and this company's instruments
    const park = await session();
    await loginAs(park.page, base(), '13900000002', DEMO_PASSWORD);
    await park.page.getByRole('link', { name: '强检合规' }).click();
    expect(await park.page.textContent('main')).to.contain('强检器具合规 · 定海工业园区').and.to.contain('超期率');
    await park.page.getByRole('link', { name: '舟山海星船舶修造有限公司' }).click();
    expect(await park.page.textContent('main')).to.contain(`E2E-${stamp}-1`).and.to.contain(`WM-${stamp}`).and.not.to.contain(`E2E-${stamp}-2`);
  });

  it('7. open sharing: a company books a shared instrument by the hour, the node approves, a second company is refused the same hours; anyone downloads open data', async () => {
    const company = await session();
    const rival = await session();
    let number: string | undefined;
    try {
      await loginAs(company.page, base(), '13900000101', DEMO_PASSWORD); // 张伟, a shipyard in 定海工业园区
      await loginAs(rival.page, base(), '13900000201', DEMO_PASSWORD); // 杨帆, 石化基地
      await company.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '共享仪器' }).click();
      await company.page.getByLabel('关键词').fill('万能材料');
      await company.page.getByRole('button', { name: '筛选' }).click();
      await company.page.getByRole('link', { name: '电子万能材料试验机' }).click();
      expect(await company.page.locator('#rates-heading').locator('..').textContent()).to.contain('园区企业（贵单位）');
      // a free time of the week, clicked: the form is filled in with it
      await company.page.locator('.schedule-table a.badge').first().click();
      const slotUrl = company.page.url();
      await rival.page.goto(slotUrl);
      expect(await company.page.getByLabel('开始时间').inputValue()).to.match(/^\d\d:\d\d$/);
      await company.page.getByLabel('委托操作').check();
      await company.page.getByLabel('用途 / 检测项目').fill('焊接件拉伸试验（GB/T 228.1）');
      expect(await company.page.locator('#estimate').textContent()).to.contain('元/小时');
      await company.page.getByRole('button', { name: '提交预约' }).click();
      await company.page.waitForURL(/\/equipment\/bookings\/YQ-\d{8}-\d{4}$/);
      number = company.page.url().split('/').pop()!;
      expect(await company.page.textContent('body')).to.contain(`预约已提交，预约号 ${number}`).and.contain('待审批');

      // the rival company sends the same hours a moment later: refused at the start time, with other times offered
      await rival.page.getByLabel('委托操作').check();
      await rival.page.getByLabel('用途 / 检测项目').fill('钢板弯曲试验');
      await rival.page.getByRole('button', { name: '提交预约' }).click();
      expect(await rival.page.locator('#f-startTime-error').textContent()).to.contain('已被其他预约或设备维护占用');
      expect(await rival.page.textContent('main')).to.contain('最近可预约的同样时长');
      // and a date in the past is refused next to the date
      await rival.page.getByLabel('预约日期').fill('2020-01-06');
      await rival.page.getByRole('button', { name: '提交预约' }).click();
      expect(await rival.page.locator('#f-date-error').textContent()).to.contain('不能预约已经过去的日期');
      expect(company.problems.concat(rival.problems)).to.deep.equal([]);
    } finally {
      await company.context.close();
      await rival.context.close();
    }

    const staff = await session();
    try {
      await loginAs(staff.page, base(), '13900000011', DEMO_PASSWORD); // 李明, 市计量院
      await staff.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '共享仪器' }).click();
      await staff.page.getByRole('link', { name: /^待审批/ }).click();
      await staff.page.locator('tr', { hasText: number! }).getByRole('button', { name: '审批通过' }).click();
      expect(await staff.page.textContent('body')).to.contain(`预约 ${number} 已更新`).and.contain('已确认');
    } finally {
      await staff.context.close();
    }

    const visitor = await session();
    try {
      await visitor.page.goto(base());
      await visitor.page.getByRole('link', { name: '数据开放' }).click();
      await visitor.page.waitForSelector('canvas');
      expect(await visitor.page.textContent('main')).to.contain('CC BY 4.0').and.contain('共享仪器设备利用率');
      const [download] = await Promise.all([visitor.page.waitForEvent('download'), visitor.page.locator('a[href="/open-data/bookings-by-node.csv"]').click()]);
      const bytes = readFileSync((await download.path())!);
      expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
      expect(bytes.toString('utf8')).to.contain('服务网点,预约数（件）').and.not.contain('有限公司');
      expect(visitor.problems).to.deep.equal([]);
    } finally {
      await visitor.context.close();
    }
  });
});

describe('screenshots of the key pages', () => {
  const shots: [string, string | null, (page: Page) => Promise<void>][] = [
    ['home', null, async (page) => void (await page.goto(base()))],
    ['booking-form', 'company', async (page) => {
      await page.goto(`${base()}/services/CAL-PG`);
      await page.getByRole('listitem').filter({ hasText: '定海工业园区服务站' }).getByRole('link', { name: '在此网点预约' }).click();
    }],
    ['my-bookings', 'company', async (page) => void (await page.goto(`${base()}/bookings`))],
    ['lab-queue', 'staff', async (page) => void (await page.goto(`${base()}/lab?tab=testing`))],
    ['report', 'newCompany', async (page) => {
      await page.goto(`${base()}/bookings/${state.booking}`);
      await page.getByRole('link', { name: '查看 / 打印' }).click();
    }],
    ['ledger', 'company', async (page) => void (await page.goto(`${base()}/instruments`))],
    ['one-click-booking', 'company', async (page) => void (await page.goto(`${base()}/instruments/book`))],
    ['compliance', 'park', async (page) => void (await page.goto(`${base()}/admin/compliance`))],
    ['standards', 'manager', async (page) => {
      // the manager's own node page, from the header's link (collapsed on a phone)
      const node = await page.locator('header a', { hasText: '网点管理' }).first().getAttribute('href');
      await page.goto(`${base()}${node}/standards`);
    }],
    ['equipment', 'company', async (page) => {
      await page.goto(`${base()}/equipment?q=${encodeURIComponent('气相色谱质谱')}`);
      await page.getByRole('link', { name: '气相色谱质谱联用仪（GC-MS）' }).click();
    }],
    ['equipment-desk', 'staff', async (page) => void (await page.goto(`${base()}/equipment/desk?tab=today`))],
    ['open-data', null, async (page) => {
      await page.goto(`${base()}/open-data`);
      await page.waitForSelector('canvas');
      await page.waitForTimeout(300);
    }],
    ['dashboard', 'admin', async (page) => {
      await page.goto(`${base()}/admin`);
      await page.waitForSelector('canvas');
      await page.waitForTimeout(300);
    }],
  ];
  const accounts: Record<string, [string, string]> = {
    company: ['13900000101', DEMO_PASSWORD],
    staff: ['13900000011', DEMO_PASSWORD],
    admin: ['13900000001', DEMO_PASSWORD],
    park: ['13900000002', DEMO_PASSWORD],
    manager: ['13900000010', DEMO_PASSWORD],
  };

  for (const [viewportName, viewport] of [['desktop', { width: 1280, height: 900 }], ['mobile', { width: 390, height: 844 }]] as const) {
    it(`saves ${viewportName} screenshots with Chinese text rendered`, async () => {
      for (const [name, who, go] of shots) {
        const s = await newSession(env.browser!, viewport);
        try {
          const account = who === 'newCompany' ? ([state.mobile!, state.password] as [string, string]) : who ? accounts[who]! : undefined;
          if (account) await loginAs(s.page, base(), ...account);
          await go(s.page);
          await s.page.screenshot({ path: `${ARTIFACTS}/screenshots/${name}-${viewportName}.png`, fullPage: false });
          expect(await s.page.textContent('body')).to.match(/[\u4e00-\u9fff]/);
          expect(await s.a11y(), `${name} ${viewportName}`).to.deep.equal([]);
        } finally {
          await s.context.close();
        }
      }
    });
  }
});
