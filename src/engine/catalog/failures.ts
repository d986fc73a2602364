/**
 * When this process first found each failing file failing. The catalog keeps only a file's current
 * summary; operators want the latest failures first, so the moment a failure appeared is kept here.
 */
export class FailureLog {
  private readonly firstSeen = new Map<string, number>();

  /** Brings the log in line with the files failing now: new failures are stamped `now`, recovered files are dropped. */
  update(failing: Iterable<string>, now = Date.now()): void {
    const current = new Set(failing);
    for (const id of this.firstSeen.keys()) {
      if (!current.has(id)) {
        this.firstSeen.delete(id);
      }
    }
    for (const id of current) {
      if (!this.firstSeen.has(id)) {
        this.firstSeen.set(id, now);
      }
    }
  }

  /** Milliseconds since the epoch, or undefined for a file not failing. */
  seenAt(id: string): number | undefined {
    return this.firstSeen.get(id);
  }
}
