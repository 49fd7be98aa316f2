/**
 * Per process: submissions for the same window go through their checks and their transaction a few at a time.
 *
 * When a popular window opens, hundreds of forms for it arrive in the same second. Run side by side, each would read
 * the reference data, prepare, open a transaction and queue for the window's row lock — and the winners' transactions,
 * holding that lock, would wait behind everyone else's work on the event loop. In line instead, the first ones take
 * the units while the rest wait here (holding no connection and no lock), and everyone after them is refused by the
 * one read that finds the window full. Other windows are not held up. The database stays the authority: the
 * conditional take under the row lock is what prevents overselling, across processes and hosts (bench:booking).
 */
export class WindowGate {
  private readonly lines = new Map<string, { running: number; waiting: (() => void)[] }>();

  /** `concurrency`: submissions for one window running at once (two: one prepares while the other commits). */
  constructor(private readonly concurrency = 2) {}

  /** Runs `work` when fewer than `concurrency` submissions for `key` are running in this process, in arrival order. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let line = this.lines.get(key);
    if (!line) {
      line = { running: 0, waiting: [] };
      this.lines.set(key, line);
    }
    if (line.running >= this.concurrency) await new Promise<void>((resolve) => line.waiting.push(resolve));
    else line.running++;
    try {
      return await work();
    } finally {
      // The place passes straight to the next in line (running stays the same), or is given up.
      const next = line.waiting.shift();
      if (next) next();
      else if (--line.running === 0) this.lines.delete(key);
    }
  }

  /** Windows with submissions in progress (for tests and diagnostics). */
  get busy(): number {
    return this.lines.size;
  }
}
