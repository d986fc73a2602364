import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

import type { Logger } from 'pino';

import { SIDECAR_SUFFIX, sidecarMtime } from './metadata';

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
  /**
   * Why it cannot be read, found while scanning: a name that is not UTF-8, or a folder that cannot
   * be listed (listed as an entry of its own, so that its runs are not missing without a word).
   */
  scanProblem?: string;
}

export interface FileStats {
  size: number;
  mtimeMs: number;
}

export interface ScannedFile extends FoundFile {
  stats: FileStats;
  /** mtime of the sidecar `<file>.json`, null without one. */
  sidecarMtimeMs: number | null;
}

const RESULT_EXTENSIONS = new Set(['.mat', '.csv', '.h5', '.hdf5', '.sdf']);

export function isResultFileName(name: string): boolean {
  return RESULT_EXTENSIONS.has(path.extname(name).toLowerCase());
}

/** Hidden files and folders (`.git`, editors' `.~lock` files, the upload staging area) are never results. */
export function isHiddenPath(relativePath: string): boolean {
  return relativePath.split(/[\\/]/).some((part) => part.startsWith('.'));
}

export function relativeToRoot(root: DataRoot, absolutePath: string): string {
  return path.relative(root.path, absolutePath).split(path.sep).join('/');
}

export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

// Node decodes file names as UTF-8 and puts U+FFFD where bytes are not: such a name no longer
// reaches the file, which would then vanish from the listing without a word.
const REPLACEMENT_CHARACTER = '\uFFFD';

function withUndecodableName(root: DataRoot, absolutePath: string): ScannedFile {
  const relativePath = relativeToRoot(root, absolutePath);
  const problem =
    `${root.name}/${relativePath}: the file name is not valid UTF-8 (shown with \uFFFD), so it cannot be opened; ` +
    'rename it in UTF-8, for example with convmv -f latin1 -t utf8';
  return unreadableEntry(root, absolutePath, problem);
}

function unlistableFolder(root: DataRoot, directory: string, error: unknown): ScannedFile {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? String(error));
  const problem = `${root.name}/${relativeToRoot(root, directory)}/: the folder cannot be listed (${why}), so the runs in it are not listed`;
  return unreadableEntry(root, directory, problem);
}

function unreadableEntry(root: DataRoot, absolutePath: string, scanProblem: string): ScannedFile {
  return { root, absolutePath, relativePath: relativeToRoot(root, absolutePath), scanProblem, stats: { size: 0, mtimeMs: 0 }, sidecarMtimeMs: null };
}

/**
 * Lists the result files under a root, recursively. Hidden entries are skipped. Symbolic links
 * are followed only when their target stays inside the root, and each directory is visited once,
 * so link loops and links out of the root are harmless.
 */
export async function findResultFiles(root: DataRoot, logger: Logger): Promise<ScannedFile[]> {
  const found: ScannedFile[] = [];
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
      // The root itself missing or unreadable is a root outage (see catalog.ts), not an entry.
      if (directory !== root.path) {
        found.push(unlistableFolder(root, directory, error));
      }
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const names = new Set(entries.map((entry) => entry.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) {
        continue;
      }
      const absolutePath = path.join(directory, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      let statPath: string | undefined = absolutePath;
      if (entry.isSymbolicLink()) {
        const target = await realpath(absolutePath).catch(() => undefined);
        statPath = target && isInside(rootReal, target) ? target : undefined;
        const targetStats = statPath ? await stat(statPath).catch(() => undefined) : undefined;
        isDirectory = targetStats?.isDirectory() ?? false;
        isFile = targetStats?.isFile() ?? false;
      }
      if (isDirectory) {
        await visit(absolutePath);
      } else if (isFile && statPath && isResultFileName(entry.name)) {
        const stats = await stat(statPath).catch(() => undefined);
        if (!stats && entry.name.includes(REPLACEMENT_CHARACTER)) {
          found.push(withUndecodableName(root, absolutePath));
        } else if (stats) {
          const relativePath = relativeToRoot(root, absolutePath);
          // The listing says whether a sidecar exists, which saves a stat per result file.
          const sidecarMtimeMs = names.has(entry.name + SIDECAR_SUFFIX) ? await sidecarMtime(absolutePath) : null;
          found.push({ root, absolutePath, relativePath, stats: { size: stats.size, mtimeMs: stats.mtimeMs }, sidecarMtimeMs });
        }
      }
    }
  };

  await visit(root.path);
  return found;
}
