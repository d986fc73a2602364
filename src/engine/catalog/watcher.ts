/**
 * Watches the data roots for result files (and their sidecars) appearing, changing and going
 * away. Events are reported per result file; the catalog debounces them into "writing" and
 * "settled". Network shares often deliver no file-system events, hence the polling option.
 */
import path from 'node:path';

import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';

import { SIDECAR_SUFFIX } from './metadata';
import { isResultFileName, type DataRoot } from './scan';

export interface WatchOptions {
  /** Poll instead of relying on inotify (needed for NFS/SMB shares). */
  usePolling?: boolean;
  /** Polling interval in milliseconds. */
  pollIntervalMs?: number;
}

export type WatchEvent = { kind: 'changed' | 'removed'; root: DataRoot; absolutePath: string };

/** The result file an event is about: the file itself, or the result a sidecar belongs to. */
function resultFileOf(absolutePath: string): string | undefined {
  if (isResultFileName(absolutePath)) {
    return absolutePath;
  }
  if (absolutePath.endsWith(SIDECAR_SUFFIX)) {
    const result = absolutePath.slice(0, -SIDECAR_SUFFIX.length);
    return isResultFileName(result) ? result : undefined;
  }
  return undefined;
}

function rootOf(roots: readonly DataRoot[], absolutePath: string): DataRoot | undefined {
  return roots.find((root) => {
    const relative = path.relative(root.path, absolutePath);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  });
}

function isHiddenBelowRoot(roots: readonly DataRoot[], absolutePath: string): boolean {
  const root = rootOf(roots, absolutePath);
  return !!root && path.relative(root.path, absolutePath).split(path.sep).some((part) => part.startsWith('.'));
}

export function watchRoots(
  roots: readonly DataRoot[],
  logger: Logger,
  onEvent: (event: WatchEvent) => void,
  options: WatchOptions = {}
): Promise<FSWatcher> {
  const watcher = watch(
    roots.map((root) => root.path),
    {
      ignoreInitial: true,
      persistent: true,
      // Links out of a root must not bring outside files in; the scan follows links inside roots.
      followSymlinks: false,
      ignored: (candidate) => isHiddenBelowRoot(roots, candidate),
      usePolling: options.usePolling ?? false,
      interval: options.pollIntervalMs ?? 2000,
      binaryInterval: options.pollIntervalMs ?? 2000,
    }
  );
  const report = (kind: WatchEvent['kind']) => (absolutePath: string) => {
    const result = resultFileOf(absolutePath);
    const root = result ? rootOf(roots, result) : undefined;
    if (result && root) {
      // A removed sidecar changes its result's metadata; it does not remove the result.
      onEvent({ kind: result === absolutePath ? kind : 'changed', root, absolutePath: result });
    }
  };
  watcher.on('add', report('changed'));
  watcher.on('change', report('changed'));
  watcher.on('unlink', report('removed'));
  watcher.on('error', (error) => logger.warn({ err: error }, 'file watcher error'));
  return new Promise((resolve) => watcher.once('ready', () => resolve(watcher)));
}
