import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { AUDIT_ACTIONS } from '../../src/audit/audit.view.js';
import { fromRoot } from '../../src/shared/paths.js';

/** The platform's audit log names every action the code records (an unnamed one read "其他操作", with no filter entry). */
describe('the audit log\'s wording', () => {
  it('has a Chinese label for every action recorded in the source', () => {
    const files: string[] = [];
    const walk = (dir: string) => readdirSync(dir).forEach((n) => (statSync(path.join(dir, n)).isDirectory() ? walk(path.join(dir, n)) : n.endsWith('.ts') && files.push(path.join(dir, n))));
    walk(fromRoot('src'));
    const recorded = new Set<string>();
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/action: ([^,}]+)/g)) for (const a of m[1]!.matchAll(/'([a-z_]+\.[a-z_.]+)'/g)) recorded.add(a[1]!);
    }
    expect(recorded.size, 'actions found in the source').to.be.greaterThan(50);
    expect([...recorded].filter((a) => !Object.hasOwn(AUDIT_ACTIONS, a)).sort()).to.deep.equal([]);
  });
});
