/** Runs `work` over `items` with at most `concurrency` calls in flight. */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * At most `limit` holders at a time; the others wait in arrival order. With `holdMs`, a holder
 * gives its place back after that long even if it has not finished: short work then runs in
 * arrival order, a few at a time, while long work (a cold file on a network share) stops holding
 * up the queue and carries on beside it.
 */
export class AdmissionGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly holdMs?: number
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.enter();
    let left = false;
    const leave = () => {
      if (!left) {
        left = true;
        this.leave();
      }
    };
    const timer = this.holdMs === undefined ? undefined : setTimeout(leave, this.holdMs);
    try {
      return await work();
    } finally {
      clearTimeout(timer);
      leave();
    }
  }

  /** Holders at this moment, for tests. */
  get holders(): number {
    return this.active;
  }

  private async enter(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private leave(): void {
    const next = this.waiting.shift();
    if (next) {
      // The place passes straight to the next in line.
      next();
    } else {
      this.active--;
    }
  }
}

/** At most `limit` holders at a time, each until it finishes; the others wait in arrival order. */
export class Semaphore extends AdmissionGate {
  constructor(limit: number) {
    super(limit);
  }
}
