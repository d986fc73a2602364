/** What the catalog shares with its parts (watching, root outages): one interface, so that none imports catalog.ts. */
import type { Logger } from 'pino';

import type { Simulation } from '../../shared/api';
import type { EntryTable } from './entries';
import type { FileEvents } from './file-events';
import type { OpenFiles } from './open-files';
import type { FileStats, FoundFile } from './scan';
import type { WorkQueue } from './work-queue';

export interface CatalogCore {
  readonly entries: EntryTable;
  readonly openFiles: OpenFiles;
  readonly work: WorkQueue;
  /** Followers of single files (the live view), told of every watcher event and of settling. */
  readonly fileEvents: FileEvents;
  readonly logger: Logger;
  isClosed(): boolean;
  describe(file: FoundFile, stats: FileStats, writing: boolean): Promise<Simulation>;
  /** After a change the persistent index should keep: publishes the counts and saves the index soon. */
  changed(): void;
}
