import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { moveIntoPlace } from '../../scripts/bundle.js';

/** A new bundle replaces the old one without breaking a server still running the build before it (scripts/bundle.ts). */
describe('the server bundle moved into place', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(path.join(os.tmpdir(), 'nqi-bundle-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const build = (name: string, files: Record<string, string>) => {
    const dir = path.join(root, name);
    mkdirSync(dir);
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
    return dir;
  };

  it('keeps the previous build’s chunks for the server still running it, removes older ones, and replaces the entry points', () => {
    const out = path.join(root, 'bundle');
    moveIntoPlace(build('b1', { 'server.js': 'v1', 'pglite-worker.js': 'w1', 'form-AAAA.js': 'form v1' }), out);
    moveIntoPlace(build('b2', { 'server.js': 'v2', 'pglite-worker.js': 'w2', 'form-BBBB.js': 'form v2' }), out);
    // a server started on build 1 still finds its lazily loaded chunk
    expect(readdirSync(out).sort()).to.deep.equal(['.files', 'form-AAAA.js', 'form-BBBB.js', 'pglite-worker.js', 'server.js']);
    expect(readFileSync(path.join(out, 'server.js'), 'utf8')).to.equal('v2');
    moveIntoPlace(build('b3', { 'server.js': 'v3', 'pglite-worker.js': 'w3', 'form-CCCC.js': 'form v3' }), out);
    // build 1's chunk is gone; build 2's stays for one more build
    expect(readdirSync(out).sort()).to.deep.equal(['.files', 'form-BBBB.js', 'form-CCCC.js', 'pglite-worker.js', 'server.js']);
    expect(readFileSync(path.join(out, '.files'), 'utf8').split('\n').filter(Boolean).sort()).to.deep.equal(['form-CCCC.js', 'pglite-worker.js', 'server.js']);
    expect(readdirSync(root).sort()).to.deep.equal(['bundle']); // no staging folder left
  });
});
