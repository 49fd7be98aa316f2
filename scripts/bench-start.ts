/**
 * npm run bench:start — how long `npm start` (scripts/start.mjs) takes to its first answer on the embedded database:
 * the first start on a new data folder (migrations, catalog, demo accounts and ~14 months of demo history) and a
 * restart on that data. The build is brought up to date first, as `npm start` would; neither start then runs `tsc`.
 * Issue 18's targets: first start < 5 s, restart < 2 s.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../src/shared/paths.js';
import { freePort, waitUntilAnswering } from '../test/support/processes.js';

const root = projectRoot();
const scratch = mkdtempSync(path.join(tmpdir(), 'nqi-bench-start-'));

async function timedStart(label: string): Promise<[string, { 'to first answer (s)': number }]> {
  const port = await freePort();
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`, DATA_DIR: path.join(scratch, 'data'), UPLOAD_DIR: path.join(scratch, 'uploads'), DATABASE_URL: '', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitUntilAnswering(`http://127.0.0.1:${port}/healthz`, child, 300_000);
    return [label, { 'to first answer (s)': Math.round((performance.now() - startedAt) / 100) / 10 }];
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

try {
  // What `npm start` does when a source changed; timed apart, so the starts below are the ones users wait for.
  execFileSync(process.execPath, ['scripts/start.mjs'], { cwd: root, env: { ...process.env, NQI_BUILD_ONLY: '1' }, stdio: 'inherit' });
  const rows = Object.fromEntries([await timedStart('first start, new data folder (demo seed)'), await timedStart('restart on existing data')]);
  console.log('\nbench:start — npm start (scripts/start.mjs), embedded database (targets: first start < 5 s, restart < 2 s)');
  console.table(rows);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
