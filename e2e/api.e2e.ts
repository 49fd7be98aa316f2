import { expect } from 'chai';
import { loginAs } from './support/browser.js';
import { DEMO_PASSWORD } from './support/helpers.js';
import { ARTIFACTS, env } from './support/hooks.js';
import { checkedSessions } from './support/sessions.js';

/**
 * Open API: a company user makes a key for the ERP (shown once), registers the ERP's webhook address, and calls the API
 * with the key; the node manager finds the same page for the node's LIMS; the documentation page renders the document.
 */
const COMPANY = ['13900000101', DEMO_PASSWORD] as const; // 张伟, 舟山海星船舶修造有限公司
const NODE_MANAGER = ['13900000010', DEMO_PASSWORD] as const; // 市计量院

const base = () => env.server!.url;

describe('open API keys and webhooks', () => {
  const session = checkedSessions();

  it('a company makes an API key (shown once), calls the API with it, and registers a webhook', async () => {
    const { page } = await session();
    await loginAs(page, base(), ...COMPANY);
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '开放接口' }).click();
    expect(await page.locator('h1').textContent()).to.equal('开放接口');
    expect(await page.locator('main').textContent()).to.contain('ERP 系统');
    await page.getByLabel('密钥名称（如“ERP 系统”）').fill('仓储系统');
    await page.getByLabel('预约（提交、取消、改期、台账）').check();
    await page.getByRole('button', { name: '创建密钥' }).click();
    const secret = (await page.locator('#new-key').textContent())!.trim();
    expect(secret).to.match(/^nqi_/);
    await page.screenshot({ path: `${ARTIFACTS}/screenshots/api-keys.png`, fullPage: true });

    const res = await fetch(`${base()}/api/v1/bookings?limit=2`, { headers: { authorization: `Bearer ${secret}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('ratelimit-limit')).to.equal('120');
    const body = (await res.json()) as { data: { number: string }[] };
    expect(body.data).to.have.length(2);

    await page.goto(`${base()}/company/api-keys`);
    expect(await page.locator('main').textContent()).not.to.contain(secret);
    // An address on the platform's own network is refused (SSRF); a public one is registered.
    await page.getByLabel('接收地址（http:// 或 https://）').fill('http://127.0.0.1:9/erp-hooks');
    await page.getByRole('button', { name: '登记' }).click();
    expect(await page.locator('#f-url-error').textContent()).to.contain('内部网络或本机');
    await page.getByLabel('接收地址（http:// 或 https://）').fill('http://203.0.113.10/erp-hooks');
    await page.getByRole('button', { name: '登记' }).click();
    expect((await page.locator('#new-hook-secret').textContent())!.trim()).to.match(/^whsec_/);
    await page.goto(`${base()}/company/api-keys`);
    await page.locator('form[action$="/ping"] button').first().click();
    expect(await page.locator('main').textContent()).to.contain('测试推送失败');
    await page.screenshot({ path: `${ARTIFACTS}/screenshots/api-webhooks.png`, fullPage: true });
  });

  it('a node manager makes a key for the LIMS with the lab scope', async () => {
    const { page } = await session();
    await loginAs(page, base(), ...NODE_MANAGER);
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '开放接口' }).click();
    await page.getByLabel('密钥名称（如“ERP 系统”）').fill('实验室信息系统');
    await page.getByLabel('实验室（受理、收样、录入结果、提交审核）').check();
    await page.getByRole('button', { name: '创建密钥' }).click();
    const secret = (await page.locator('#new-key').textContent())!.trim();
    const queue = await fetch(`${base()}/api/v1/lab/queue?limit=5`, { headers: { authorization: `Bearer ${secret}` } });
    expect(queue.status).to.equal(200);
  });

  it('the documentation page renders the OpenAPI document from our own origin', async () => {
    const { page } = await session();
    await page.goto(`${base()}/api/docs`);
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 20_000 });
    expect(await page.locator('.swagger-ui .info .title').textContent()).to.contain('开放接口');
    await page.screenshot({ path: `${ARTIFACTS}/screenshots/api-docs.png` });
  });
});
