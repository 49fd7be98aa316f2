/**
 * Per process: submissions for the same window go through their checks and their transaction one after another.
 *
 * When a popular window opens, hundreds of forms for it arrive in the same second. Run side by side, each would read
 * the reference data, prepare, open a transaction and queue for the window's row lock — and the winners' transactions,
 * holding that lock, would wait behind everyone else's work on the event loop. In line instead, the first C take the
 * units while the rest wait here (holding no connection and no lock), and everyone after them is refused by the one
 * read that finds the window full. Other windows are not held up. The database stays the authority: the conditional
 * take under the row lock is what prevents overselling, across processes and hosts (bench:booking measures both).
 */
export class WindowGate {
  private readonly lines = new Map<string, (() => void)[]>();

  /** Runs `work` when the submissions for `key` before it in this process have finished. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const line = this.lines.get(key);
    if (line) await new Promise<void>((resolve) => line.push(resolve));
    else this.lines.set(key, []);
    try {
      return await work();
    } finally {
      const next = this.lines.get(key)?.shift();
      if (next) next();
      else this.lines.delete(key);
    }
  }

  /** Windows with submissions in progress (for tests and diagnostics). */
  get busy(): number {
    return this.lines.size;
  }
}
