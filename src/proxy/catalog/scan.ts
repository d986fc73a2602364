import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

import type { Logger } from 'pino';

export interface DataRoot {
  /** Short stable name, part of every simulation id in this root. */
  name: string;
  /** Absolute path. */
  path: string;
}

export interface FoundFile {
  root: DataRoot;
  absolutePath: string;
  /** Relative to the root, `/`-separated. */
  relativePath: string;
}

const RESULT_EXTENSIONS = new Set(['.mat', '.csv', '.h5', '.hdf5', '.sdf']);

export function isResultFileName(name: string): boolean {
  return RESULT_EXTENSIONS.has(path.extname(name).toLowerCase());
}

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Lists the result files under a root, recursively. Hidden entries are skipped. Symbolic links
 * are followed only when their target stays inside the root, and each directory is visited once,
 * so link loops and links out of the root are harmless.
 */
export async function findResultFiles(root: DataRoot, logger: Logger): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  let rootReal: string;
  try {
    rootReal = await realpath(root.path);
  } catch (error) {
    logger.error({ root: root.path, err: error }, 'data root is not readable');
    return found;
  }
  const visited = new Set<string>();

  const visit = async (directory: string): Promise<void> => {
    const real = await realpath(directory).catch(() => undefined);
    if (!real || visited.has(real) || !isInside(rootReal, real)) {
      return;
    }
    visited.add(real);
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      logger.warn({ directory, err: error }, 'cannot list directory');
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) {
        continue;
      }
      const absolutePath = path.join(directory, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await realpath(absolutePath).catch(() => undefined);
        const targetStats = target && isInside(rootReal, target) ? await stat(target).catch(() => undefined) : undefined;
        isDirectory = targetStats?.isDirectory() ?? false;
        isFile = targetStats?.isFile() ?? false;
      }
      if (isDirectory) {
        await visit(absolutePath);
      } else if (isFile && isResultFileName(entry.name)) {
        found.push({ root, absolutePath, relativePath: path.relative(root.path, absolutePath).split(path.sep).join('/') });
      }
    }
  };

  await visit(root.path);
  return found;
}
