import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/*
 * The floors of the code base (DESIGN.md, "Layout"): a module may import its own floor or a lower one, never a higher.
 *   0 ground    src/shared, src/config.ts
 *   1 data      src/db, src/events
 *   2 features  src/<feature>/ except its *.routes.ts
 *   3 web       src/http and every *.routes.ts
 *   4 assembly  src/app.ts, src/composition.ts, src/server.ts, src/seed
 * Besides: a router never imports another feature's router, and only src/server.ts (and scripts, tests) imports src/seed.
 */
export const FLOOR_NAMES = ['ground', 'data', 'feature', 'web', 'assembly'] as const;
export type Floor = 0 | 1 | 2 | 3 | 4;

const ASSEMBLY = new Set(['src/app.ts', 'src/composition.ts', 'src/server.ts']);

/** The floor of a file given by its path from the project root ('src/admin/nodes.ts'); undefined when unclassified. */
export function floorOf(file: string): Floor | undefined {
  const [top, first, ...rest] = file.split('/');
  if (top !== 'src' || !first) return undefined;
  if (first === 'seed' || ASSEMBLY.has(file)) return 4;
  if (first === 'http' || file.endsWith('.routes.ts')) return 3;
  if (first === 'db' || first === 'events') return 1;
  if (first === 'shared' || file === 'src/config.ts') return 0;
  return rest.length > 0 ? 2 : undefined; // a feature folder's module; a loose file directly in src/ has no floor
}

/** The feature folder of a file ('admin' for src/admin/nodes.routes.ts). */
const featureOf = (file: string) => file.split('/')[1];

export interface ImportEdge {
  from: string;
  to: string;
}

/** Every import of a module: static, type-only, re-exports and dynamic `import()` with a literal path. */
export function importsOf(sourceText: string, fileName = 'x.ts'): string[] {
  const source = ts.createSourceFile(fileName, sourceText, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      found.push(node.arguments[0].text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push(node.moduleReference.expression.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(dir: string, root: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full, root);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path.relative(root, full).split(path.sep).join('/')] : [];
  });
}

/** The import graph of src/ under a project root: each relative import resolved to a file path from the root. */
export function importGraph(root: string): { files: string[]; edges: ImportEdge[] } {
  const files = sourceFiles(path.join(root, 'src'), root);
  const edges: ImportEdge[] = [];
  for (const from of files) {
    for (const spec of importsOf(readFileSync(path.join(root, from), 'utf8'), from)) {
      if (!spec.startsWith('.')) continue; // packages and node: built-ins
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec)).replace(/\.js$/, '.ts');
      edges.push({ from, to: target });
    }
  }
  return { files, edges };
}

export interface Offence extends ImportEdge {
  rule: 'upward' | 'router-to-router' | 'seed' | 'unclassified';
  why: string;
}

const describeFloor = (floor: Floor) => `${floor} ${FLOOR_NAMES[floor]}`;

/** Every import that breaks the floors (one entry per importing file and imported file). */
export function layerOffences(root: string): Offence[] {
  const { files, edges } = importGraph(root);
  const offences: Offence[] = [];
  for (const file of files) {
    if (floorOf(file) === undefined) offences.push({ from: file, to: file, rule: 'unclassified', why: 'a file directly in src/ that no floor names: put it in a folder or add it to the floors' });
  }
  const seen = new Set<string>();
  for (const edge of edges) {
    const key = `${edge.from} ${edge.to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const from = floorOf(edge.from);
    const to = floorOf(edge.to);
    if (from === undefined || to === undefined) continue;
    if (to > from) offences.push({ ...edge, rule: 'upward', why: `floor ${describeFloor(from)} imports floor ${describeFloor(to)}` });
    if (edge.from.endsWith('.routes.ts') && edge.to.endsWith('.routes.ts') && featureOf(edge.from) !== featureOf(edge.to)) {
      offences.push({ ...edge, rule: 'router-to-router', why: `a router imports another feature's router (${featureOf(edge.to)})` });
    }
    if (edge.to.startsWith('src/seed/') && !edge.from.startsWith('src/seed/') && edge.from !== 'src/server.ts') {
      offences.push({ ...edge, rule: 'seed', why: 'only src/server.ts, scripts and tests import src/seed' });
    }
  }
  return offences;
}

export const formatOffence = (o: Offence) => (o.rule === 'unclassified' ? `${o.from}: ${o.why}` : `${o.from} → ${o.to}: ${o.why}`);
