import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { acquireDataDirLock, DataDirLockedError } from '../../src/db/data-dir-lock.js';
import { openDatabase } from '../../src/db/client.js';
import { projectRoot } from '../../src/shared/paths.js';

/** Starts a second process that takes the lock on `dir` and keeps it until killed. */
function holdLockInChild(dir: string): Promise<ChildProcess> {
  const code = `import { acquireDataDirLock } from ${JSON.stringify(path.join(projectRoot(), 'src/db/data-dir-lock.ts'))};
acquireDataDirLock(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve(child);
    });
    child.on('exit', (c) => reject(new Error(`lock holder exited with ${c}`)));
  });
}

describe('embedded database folder lock (one process per DATA_DIR)', () => {
  let dir: string;
  let holder: ChildProcess | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nqi-lock-'));
  });
  afterEach(() => {
    holder?.kill('SIGKILL');
    holder = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second process with a message naming the folder and the pid holding it', async () => {
    holder = await holdLockInChild(dir);
    try {
      await openDatabase({ kind: 'pglite-dir', dataDir: dir });
      expect.fail('the second open must be refused');
    } catch (err) {
      expect(err).to.be.instanceOf(DataDirLockedError);
      expect((err as DataDirLockedError).holderPid).to.equal(holder.pid);
      expect((err as Error).message).to.contain(dir).and.contain(String(holder.pid));
    }
    // The refused process did not touch the holder's lock.
    expect(readFileSync(path.join(dir, 'nqi.lock'), 'utf8')).to.equal(String(holder.pid));
  });

  it('makes `npm start` on a held folder exit with that message instead of opening it', async () => {
    holder = await holdLockInChild(dir);
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: projectRoot(),
      env: { ...process.env, DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'silent', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    server.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exitCode = await new Promise<number | null>((resolve) => server.on('exit', resolve));
    expect(exitCode).to.equal(75);
    expect(stderr).to.contain(dir).and.contain(String(holder.pid));
    expect(existsSync(path.join(dir, 'pgdata'))).to.equal(false);
  });

  it('takes over a stale lock left by a process that no longer exists', () => {
    writeFileSync(path.join(dir, 'nqi.lock'), '999999');
    const lock = acquireDataDirLock(dir);
    expect(readFileSync(lock.file, 'utf8')).to.equal(String(process.pid));
    lock.release();
    expect(existsSync(lock.file)).to.equal(false);
  });
});
