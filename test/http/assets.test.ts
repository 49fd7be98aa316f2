import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { PURGED_CSS } from '../../src/http/purged-css.js';
import { agentFor, createTestApp, type TestApp } from '../support/app.js';

describe('static assets and compression', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t?.close());

  it('links fingerprinted assets, cached for a year, the same bytes as the file', async () => {
    const page = await agentFor(t.app).get('/');
    const css = /href="(\/assets\/[0-9a-f]{12}\/static\/css\/app\.css)"/.exec(page.text)?.[1];
    const bootstrap = /href="(\/assets\/[0-9a-f]{12}\/vendor\/bootstrap\/css\/bootstrap\.min\.css)"/.exec(page.text)?.[1];
    expect(css, 'app.css link').to.be.a('string');
    expect(bootstrap, 'bootstrap link').to.be.a('string');
    const res = await agentFor(t.app).get(css!).set('Accept-Encoding', 'identity');
    expect(res.status).to.equal(200);
    expect(res.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    expect(res.headers['content-type']).to.contain('text/css');
    expect(res.text).to.equal(readFileSync('public/css/app.css', 'utf8'));
    // A fingerprint that no longer matches (a page from before an upgrade) still gets the file, briefly cached.
    const old = await agentFor(t.app).get(css!.replace(/\/assets\/[0-9a-f]{12}/, '/assets/000000000000')).set('Accept-Encoding', 'identity');
    expect(old.status).to.equal(200);
    expect(old.headers['cache-control']).to.equal('public, max-age=300');
  });

  /** The bytes as sent (no client-side decompression). */
  async function raw(url: string, encoding: string): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    try {
      return await new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: url, headers: { 'accept-encoding': encoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        }).on('error', reject);
      });
    } finally {
      server.close();
    }
  }

  it('sends assets and pages compressed to browsers that accept it, and plain to those that do not', async () => {
    const page = await agentFor(t.app).get('/');
    const bootstrap = /href="(\/assets\/[0-9a-f]{12}\/vendor\/bootstrap\/css\/bootstrap\.min\.css)"/.exec(page.text)![1]!;
    // The purged build when it was up to date at start (src/http/purged-css.ts), else the whole stylesheet.
    const whole = readFileSync('node_modules/bootstrap/dist/css/bootstrap.min.css');
    const purged = existsSync(PURGED_CSS) ? readFileSync(PURGED_CSS) : undefined;
    // Precompression runs in the background after start: wait until brotli is served.
    let br = await raw(bootstrap, 'br');
    for (let i = 0; i < 100 && br.headers['content-encoding'] !== 'br'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      br = await raw(bootstrap, 'br');
    }
    expect(br.headers['content-encoding']).to.equal('br');
    const sent = brotliDecompressSync(br.body);
    expect(sent.equals(whole) || (purged !== undefined && sent.equals(purged))).to.equal(true);
    expect(br.body.length).to.be.below(sent.length / 4);

    const html = await raw('/services', 'gzip, deflate');
    expect(html.headers['content-encoding']).to.equal('gzip');
    expect(html.headers.vary).to.match(/Accept-Encoding/i);
    expect(gunzipSync(html.body).toString('utf8')).to.contain('<html lang="zh-CN">');

    const plain = await raw('/services', 'identity');
    expect(plain.headers['content-encoding']).to.equal(undefined);
    expect(plain.body.toString('utf8')).to.contain('<html lang="zh-CN">');
  });
});
