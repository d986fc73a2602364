/** A least-recently-used map bounded by the bytes of its values, which the caller states. */
export class ByteBudgetLru<K, V> {
  private readonly entries = new Map<K, { value: V; bytes: number }>();
  private total = 0;

  constructor(readonly budgetBytes: number) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry?.value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Keeps `value`, then drops the least recently used entries until the total fits the budget. */
  set(key: K, value: V, bytes: number): void {
    this.delete(key);
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.budgetBytes) {
        break;
      }
      this.entries.delete(oldest);
      this.total -= entry.bytes;
    }
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.total -= entry.bytes;
    }
  }

  get bytes(): number {
    return this.total;
  }
}
