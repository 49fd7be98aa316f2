import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration from the environment', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nqi-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses embedded defaults with no environment', () => {
    const config = loadConfig({ DATA_DIR: dir });
    expect(config.databaseUrl).to.equal(undefined);
    expect(config.port).to.equal(3000);
    expect(config.publicUrl).to.equal('http://localhost:3000');
    expect(config.seedDemo).to.equal(true);
    expect(config.bookingHorizonDays).to.equal(60);
  });

  it('names every bad variable with its own message', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', DB_POOL_MAX: '0', DATA_DIR: dir });
      expect.fail('expected a ConfigError');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).to.contain('PORT');
      expect(problems).to.contain('DATABASE_URL').and.contain('postgres://');
      expect(problems).to.contain('DB_POOL_MAX');
    }
  });

  it('takes SMTP_URL for e-mail (smtp:// or smtps://) with a sender from PUBLIC_URL, and names a wrong one', () => {
    expect(loadConfig({ DATA_DIR: dir }).smtpUrl).to.equal(undefined);
    const config = loadConfig({ DATA_DIR: dir, SMTP_URL: 'smtps://nqi:secret@smtp.example.com:465', PUBLIC_URL: 'https://nqi.zhoushan.gov.cn' });
    expect(config.smtpUrl).to.equal('smtps://nqi:secret@smtp.example.com:465');
    expect(config.mailFrom).to.equal('舟山市质量基础设施一站式服务平台 <no-reply@nqi.zhoushan.gov.cn>');
    expect(() => loadConfig({ DATA_DIR: dir, SMTP_URL: 'mail.example.com' })).to.throw(ConfigError, /SMTP_URL/);
  });

  it('requires SESSION_SECRET in production and never seeds demo accounts there', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dir })).to.throw(ConfigError, /SESSION_SECRET/);
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), PUBLIC_URL: 'https://nqi.zhoushan.gov.cn', DATA_DIR: dir });
    expect(config.seedDemo).to.equal(false);
    expect(config.publicUrl).to.equal('https://nqi.zhoushan.gov.cn');
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), PUBLIC_URL: 'https://nqi.zhoushan.gov.cn', SEED_DEMO: '1', DATA_DIR: dir })).to.throw(ConfigError, /SEED_DEMO/);
  });

  it('requires PUBLIC_URL in production (it is printed on receipts\' and reports\' QR codes), not in demo mode', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), DATA_DIR: dir })).to.throw(ConfigError, /PUBLIC_URL/);
    expect(loadConfig({ PORT: '3100', DATA_DIR: dir }).publicUrl).to.equal('http://localhost:3100');
  });

  it('refuses a short SESSION_SECRET', () => {
    expect(() => loadConfig({ SESSION_SECRET: 'short', DATA_DIR: dir })).to.throw(ConfigError, /SESSION_SECRET.*32/);
  });

  it('generates a demo session secret once and keeps it in DATA_DIR', () => {
    const first = loadConfig({ DATA_DIR: dir }).sessionSecret;
    const second = loadConfig({ DATA_DIR: dir }).sessionSecret;
    expect(first).to.have.length.greaterThanOrEqual(32);
    expect(second).to.equal(first);
    expect(readFileSync(path.join(dir, 'session-secret'), 'utf8')).to.equal(first);
  });
});
