import { expect } from 'chai';
import { WindowGate } from '../../src/capacity/window-gate.js';

/** A promise settled from outside: lets the test decide when each piece of work ends. */
function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('WindowGate: submissions for one window a few at a time, in arrival order', () => {
  it('runs at most `concurrency` per window and lets the next in line in as each ends, in arrival order', async () => {
    const gate = new WindowGate(2);
    const started: number[] = [];
    const ends = Array.from({ length: 5 }, deferred);
    const runs = ends.map((end, i) => gate.run('CAL-PG|3|2026-10-08|am', async () => {
      started.push(i);
      await end.promise;
      return i;
    }));
    await tick();
    expect(started).to.deep.equal([0, 1]);
    ends[1]!.resolve();
    await tick();
    expect(started).to.deep.equal([0, 1, 2]);
    ends[0]!.resolve();
    await tick();
    expect(started).to.deep.equal([0, 1, 2, 3]);
    ends[2]!.resolve();
    ends[3]!.resolve();
    ends[4]!.resolve();
    expect(await Promise.all(runs)).to.deep.equal([0, 1, 2, 3, 4]);
    expect(gate.busy).to.equal(0);
  });

  it('does not hold up other windows', async () => {
    const gate = new WindowGate(1);
    const end = deferred();
    const first = gate.run('a', () => end.promise);
    let other = false;
    await gate.run('b', async () => {
      other = true;
    });
    expect(other).to.equal(true);
    expect(gate.busy).to.equal(1);
    end.resolve();
    await first;
    expect(gate.busy).to.equal(0);
  });

  it('gives the place to the next in line when a submission fails, and passes the failure on', async () => {
    const gate = new WindowGate(1);
    const end = deferred();
    const failing = gate.run('a', () => end.promise);
    const next = gate.run('a', async () => 'next ran');
    end.reject(new Error('window full'));
    const failure = await failing.then(() => undefined, (err: Error) => err.message);
    expect(failure).to.equal('window full');
    expect(await next).to.equal('next ran');
    expect(gate.busy).to.equal(0);
  });
});
