/**
 * A small per-process cache for read models that change rarely (catalog, dashboards). Entries expire after `ttlMs`;
 * `clear()` drops everything at once (called by the code that changes the underlying data in this process; other
 * processes see the change when their entries expire).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 500,
  ) {}

  /** The value under `key`, loading it when absent or expired. A cache of mixed values (V = unknown) returns the loader's type. */
  get<T extends V>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.peek(key);
    if (hit) return hit as Promise<T>;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    // The promise is cached, so concurrent requests for a cold key share one load; a failed load is not kept.
    const value = load();
    this.entries.set(key, { at: Date.now(), value });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  /** The value under `key` if present and fresh, without loading. */
  peek(key: string): Promise<V> | undefined {
    const hit = this.entries.get(key);
    return hit && Date.now() - hit.at < this.ttlMs ? hit.value : undefined;
  }

  /** Stores a value computed elsewhere (e.g. a response body captured as it is sent). */
  set(key: string, value: V): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { at: Date.now(), value: Promise.resolve(value) });
  }

  clear(): void {
    this.entries.clear();
  }
}
