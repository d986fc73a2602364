/**
 * Per-file notices for readers that follow a file as it grows (the live view): the watcher's
 * events as they arrive, before the catalog's settle debounce, so that a reader can pick up new
 * rows within the event's latency instead of the settle time.
 */
export type FileEventKind = 'changed' | 'settled' | 'removed';
export type FileEventListener = (kind: FileEventKind) => void;

export class FileEvents {
  private readonly listeners = new Map<string, Set<FileEventListener>>();

  /** Calls `listener` on every event for `id` until the returned function is called. */
  on(id: string, listener: FileEventListener): () => void {
    let set = this.listeners.get(id);
    if (!set) {
      set = new Set();
      this.listeners.set(id, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(id) === set) {
        this.listeners.delete(id);
      }
    };
  }

  emit(id: string, kind: FileEventKind): void {
    // A copy: a listener may unsubscribe itself while being called.
    for (const listener of [...(this.listeners.get(id) ?? [])]) {
      listener(kind);
    }
  }

  /** Files followed right now (for tests and metrics). */
  get followed(): number {
    return this.listeners.size;
  }
}
