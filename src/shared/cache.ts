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

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    // The promise is cached, so concurrent requests for a cold key share one load; a failed load is not kept.
    const value = load();
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
