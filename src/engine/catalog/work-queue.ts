/** Per-key serialization of catalog updates, so that a settle never races a removal, another settle or a root check. */
import type { Logger } from 'pino';

export class WorkQueue {
  private readonly work = new Map<string, Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Runs `task` after the tasks already queued under `id`; a failure is logged, never thrown. */
  run(id: string, task: () => Promise<void>): void {
    const previous = this.work.get(id) ?? Promise.resolve();
    const next = previous
      .then(task)
      .catch((error: unknown) => this.logger.error({ err: error, id }, 'catalog update failed'))
      .finally(() => {
        if (this.work.get(id) === next) {
          this.work.delete(id);
        }
      });
    this.work.set(id, next);
  }

  /** Resolves once the tasks queued now have finished. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.work.values());
  }
}
