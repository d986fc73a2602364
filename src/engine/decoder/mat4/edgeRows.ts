/**
 * The raw rows around the bucket edges of recent summarized reads (summarized.ts), kept for the
 * next read of the same file version, range and width. A dashboard's panels ask for other
 * variables of a run over the same range and width, and a row holds every signal, so the rows
 * read for one panel serve the next. On the long 1 GB shape they are 12.8 MB in 500 reads: with
 * the summaries in memory (summaryMemory.ts), most of a read's time.
 *
 * A few buffers are reused rather than allocated per read: on the test VM a fresh 12.8 MB buffer
 * costs about 50 ms of page faults (see util/scratch.ts).
 */

/**
 * Buffers kept: a dashboard's panels share one range, in one or two widths. Each buffer is
 * allocated on first use, which costs about 60 ms of page faults here for the long 1 GB shape,
 * and is then held: more buffers would cost memory and first uses for little.
 */
export const EDGE_ROW_SLOTS = 2;
/** Largest set of rows kept: the long 1 GB shape needs 12.8 MB at 2,000 points, and its pieces 5.6 MB. */
export const EDGE_ROW_SLOT_MAX_BYTES = 20 * 1024 * 1024;

interface Slot {
  key: string | undefined;
  buffer: Uint8Array;
  used: number;
  /** Reads using the kept bytes now: the buffer is not reused meanwhile. */
  readers: number;
  /** Whether it is being filled. */
  filling: boolean;
}

/** Kept bytes in use: they stay as they are until released. */
export interface HeldRows {
  bytes: Uint8Array;
  release(): void;
}

/** A buffer claimed for filling: once filled, it may be kept under a key, which holds it for reading too. */
export interface ClaimedRows {
  bytes: Uint8Array;
  keep(key: string): void;
  release(): void;
}

export class EdgeRowCache {
  /** Least recently used first. */
  private readonly slots: Slot[];

  constructor(
    count = EDGE_ROW_SLOTS,
    private readonly maxBytes = EDGE_ROW_SLOT_MAX_BYTES
  ) {
    this.slots = Array.from({ length: count }, () => ({
      key: undefined,
      buffer: new Uint8Array(0),
      used: 0,
      readers: 0,
      filling: false,
    }));
  }

  /** The bytes kept under `key`, held until released. */
  get(key: string): HeldRows | undefined {
    const slot = this.slots.find((s) => s.key === key && !s.filling);
    if (!slot) {
      return undefined;
    }
    this.touch(slot);
    slot.readers++;
    return { bytes: slot.buffer.subarray(0, slot.used), release: once(() => slot.readers--) };
  }

  /** The least recently used idle buffer, grown to `bytes`; undefined when all are in use or `bytes` is too large. */
  claim(bytes: number): ClaimedRows | undefined {
    const slot = this.slots.find((s) => s.readers === 0 && !s.filling);
    if (!slot || bytes > this.maxBytes) {
      return undefined;
    }
    if (slot.buffer.byteLength < bytes) {
      // At the largest size at once: pages cost only once touched, and a buffer regrown for a
      // slightly larger range would fault all its pages in again.
      slot.buffer = new Uint8Array(this.maxBytes);
    }
    Object.assign(slot, { key: undefined, used: bytes, filling: true });
    this.touch(slot);
    return {
      bytes: slot.buffer.subarray(0, bytes),
      keep: (key) => {
        slot.key = key;
      },
      release: once(() => {
        slot.filling = false;
      }),
    };
  }

  /** Bytes of the buffers, kept or not (reserved: memory is taken as far as they have been used). */
  get bytes(): number {
    return this.slots.reduce((sum, slot) => sum + slot.buffer.byteLength, 0);
  }

  private touch(slot: Slot): void {
    this.slots.splice(this.slots.indexOf(slot), 1);
    this.slots.push(slot);
  }
}

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      action();
    }
  };
}

export const edgeRows = new EdgeRowCache();
