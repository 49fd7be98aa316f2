import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fromRoot } from '../../src/shared/paths.js';
import { floorOf, formatOffence, importsOf, layerOffences } from '../support/layers.js';

describe('layers: no import runs from a lower floor up to a higher one', () => {
  it('src/ keeps its floors (ground < data < features < web and routers < assembly)', () => {
    const offences = layerOffences(fromRoot());
    expect(offences.map(formatOffence), `imports against the floors:\n  ${offences.map(formatOffence).join('\n  ')}\n`).to.deep.equal([]);
  });

  it('places every kind of file on its floor', () => {
    expect(floorOf('src/shared/errors.ts')).to.equal(0);
    expect(floorOf('src/config.ts')).to.equal(0);
    expect(floorOf('src/db/schema.ts')).to.equal(1);
    expect(floorOf('src/events/record.ts')).to.equal(1);
    expect(floorOf('src/admin/nodes.ts')).to.equal(2);
    expect(floorOf('src/admin/admin.view.ts')).to.equal(2);
    expect(floorOf('src/admin/nodes.routes.ts')).to.equal(3);
    expect(floorOf('src/http/forms.ts')).to.equal(3);
    expect(floorOf('src/composition.ts')).to.equal(4);
    expect(floorOf('src/seed/reference.ts')).to.equal(4);
    expect(floorOf('src/loose.ts')).to.equal(undefined);
  });

  it('reads static, type-only, re-exported and dynamic imports', () => {
    const text = `import a from './a.js';\nimport type { B } from './b.js';\nexport { c } from './c.js';\nexport * from './d.js';\nconst e = await import('./e.js');\nimport 'side-effect';`;
    expect(importsOf(text)).to.deep.equal(['./a.js', './b.js', './c.js', './d.js', './e.js', 'side-effect']);
  });

  describe('on a planted tree', () => {
    let root: string;
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    };
    beforeEach(() => {
      root = mkdtempSync(path.join(tmpdir(), 'nqi-layers-'));
      write('src/shared/errors.ts', 'export class E {}\n');
      write('src/db/client.ts', "import { E } from '../shared/errors.js';\nexport const db = E;\n");
      write('src/admin/nodes.ts', "import { db } from '../db/client.js';\nexport const nodes = db;\n");
      write('src/admin/nodes.routes.ts', "import { nodes } from './nodes.js';\nimport { forms } from '../http/forms.js';\nexport const r = [nodes, forms];\n");
      write('src/http/forms.ts', "export const forms = 1;\n");
      write('src/seed/index.ts', "import { nodes } from '../admin/nodes.js';\nexport const seed = nodes;\n");
      write('src/server.ts', "import { seed } from './seed/index.js';\nexport const s = seed;\n");
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('finds nothing in a tree that keeps the floors (positive control)', () => {
      expect(layerOffences(root)).to.deep.equal([]);
    });

    it('names each offending import: upward, router to router, seed, unclassified', () => {
      write('src/shared/time.ts', "import type { db } from '../db/client.js';\nexport type T = typeof db;\n");
      write('src/admin/closures.ts', "import { forms } from '../http/forms.js';\nexport const c = forms;\n");
      write('src/catalog/catalog.routes.ts', "import { r } from '../admin/nodes.routes.js';\nexport const x = r;\n");
      write('src/app.ts', "import { seed } from './seed/index.js';\nexport const a = seed;\n");
      write('src/loose.ts', 'export const loose = 1;\n');
      expect(layerOffences(root).map(formatOffence)).to.have.members([
        'src/shared/time.ts → src/db/client.ts: floor 0 ground imports floor 1 data',
        'src/admin/closures.ts → src/http/forms.ts: floor 2 feature imports floor 3 web',
        "src/catalog/catalog.routes.ts → src/admin/nodes.routes.ts: a router imports another feature's router (admin)",
        'src/app.ts → src/seed/index.ts: only src/server.ts, scripts and tests import src/seed',
        'src/loose.ts: a file directly in src/ that no floor names: put it in a folder or add it to the floors',
      ]);
    });
  });
});
