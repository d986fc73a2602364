/**
 * Sliding-window extremes over reference points: the largest (or smallest) value among the
 * indices pushed and not yet dropped, in amortized O(1) per point (a monotone deque). Indices are
 * global row numbers of the reference; values are read from a buffer holding rows from `offset`
 * on, which may be refilled between chunks as long as it still holds every index kept here.
 */
export class WindowExtreme {
  private slots = new Int32Array(1024);
  private head = 0;
  private tail = 0;

  /** `sign` 1 keeps the maximum, -1 the minimum. */
  constructor(private readonly sign: 1 | -1) {}

  /** Adds point `index` (its value is `values[index - offset]`); NaN never takes part (it is counted apart). */
  push(index: number, values: Float64Array, offset: number): void {
    const value = values[index - offset];
    if (value !== value) {
      return;
    }
    const keyed = this.sign * value;
    while (this.tail > this.head && this.sign * values[this.slots[this.tail - 1] - offset] <= keyed) {
      this.tail--;
    }
    if (this.tail === this.slots.length) {
      this.makeRoom();
    }
    this.slots[this.tail++] = index;
  }

  /** Forgets the points before `first`. */
  drop(first: number): void {
    while (this.head < this.tail && this.slots[this.head] < first) {
      this.head++;
    }
  }

  /** The index of the extreme point kept, or -1 when none is. */
  bestIndex(): number {
    return this.head < this.tail ? this.slots[this.head] : -1;
  }

  /** Moves the live slots to the front, growing only when more than half are live. */
  private makeRoom(): void {
    const live = this.tail - this.head;
    if (live * 2 > this.slots.length) {
      const larger = new Int32Array(this.slots.length * 2);
      larger.set(this.slots.subarray(this.head, this.tail));
      this.slots = larger;
    } else {
      this.slots.copyWithin(0, this.head, this.tail);
    }
    this.tail = live;
    this.head = 0;
  }
}
