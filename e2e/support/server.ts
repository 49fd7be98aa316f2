import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensurePurgedCss } from '../../src/http/purged-css.js';
import { BUNDLE_ENTRY, bundleServer } from '../../scripts/bundle.js';
import { projectRoot } from '../../src/shared/paths.js';
import { freePort, waitUntilAnswering } from '../../test/support/processes.js';

export interface RunningServer {
  url: string;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

/** The server's bundle, made once per run from the sources as they are now (~2 s): what `npm start` runs. */
let bundled: Promise<void> | undefined;

/**
 * Starts the real app — its bundle, as `npm start` runs it (scripts/bundle.ts) — on a free port with a fresh embedded
 * database in a temporary folder, in demo mode (the seed creates the network, the catalog, the demo staff accounts and
 * history), and waits for /healthz.
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  // The pages are tested with the CSS they ship: the purged Bootstrap, rebuilt when a view or a script changed.
  await ensurePurgedCss();
  await (bundled ??= bundleServer());
  const scratch = mkdtempSync(path.join(tmpdir(), 'nqi-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [BUNDLE_ENTRY], {
    cwd: projectRoot(),
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATA_DIR: path.join(scratch, 'data'),
      UPLOAD_DIR: path.join(scratch, 'uploads'),
      DATABASE_URL: '',
      LOG_LEVEL: 'error',
      // The journeys click a dashboard's figure and count the bookings behind it, right after other journeys booked:
      // figures computed afresh, not kept for a minute.
      DASHBOARD_CACHE_SECONDS: '0',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
      });
    }
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    // First start seeds ~14 months of demo history: on a busy machine that can take longer than 90 s (E2E_START_TIMEOUT_MS).
    await waitUntilAnswering(`${url}/healthz`, child, Number(process.env.E2E_START_TIMEOUT_MS) || 90_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, dataDir: scratch, pid: child.pid!, stop };
}
