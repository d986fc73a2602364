/**
 * The persistent index: every file's catalogue entry, keyed by root, path, size and mtime (and
 * the sidecar's mtime), so that a restart decodes only what changed. It lives in the cache
 * directory, can be deleted at any time, and is rebuilt from the files when missing or stale.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

import { SimulationSchema } from '../../shared/api';
import { PROXY_VERSION } from '../version';

const IndexedFileSchema = Type.Object({
  root: Type.String(),
  /** The root's folder then: a root name pointed at another folder does not reuse entries. */
  rootPath: Type.String(),
  relativePath: Type.String(),
  size: Type.Number(),
  mtimeMs: Type.Number(),
  sidecarMtimeMs: Type.Union([Type.Number(), Type.Null()]),
  summary: SimulationSchema,
});
export type IndexedFile = Static<typeof IndexedFileSchema>;

const IndexSchema = Type.Object({
  format: Type.Literal('simviz-index'),
  /** Entries written by another proxy version may describe files differently: they are not reused. */
  proxyVersion: Type.String(),
  files: Type.Array(IndexedFileSchema),
});
const indexCheck = TypeCompiler.Compile(IndexSchema);

export const INDEX_FILE_NAME = 'index-v1.json';

export function indexPath(cacheDir: string): string {
  return path.join(cacheDir, INDEX_FILE_NAME);
}

export function indexKey(root: string, relativePath: string): string {
  return `${root}\0${relativePath}`;
}

export type LoadedIndex = Map<string, IndexedFile>;

/** The stored index by key; empty (never an exception) when missing, unreadable, stale or corrupt. */
export async function loadIndex(cacheDir: string): Promise<{ index: LoadedIndex; problem?: string }> {
  const empty: LoadedIndex = new Map();
  let text: string;
  try {
    text = await readFile(indexPath(cacheDir), 'utf8');
  } catch {
    return { index: empty };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { index: empty, problem: 'the index file is not valid JSON; rebuilding it' };
  }
  if (!indexCheck.Check(parsed)) {
    return { index: empty, problem: 'the index file has an unknown layout; rebuilding it' };
  }
  if (parsed.proxyVersion !== PROXY_VERSION) {
    return { index: empty, problem: `the index was written by proxy ${parsed.proxyVersion}; rebuilding it` };
  }
  return { index: new Map(parsed.files.map((file) => [indexKey(file.root, file.relativePath), file])) };
}

/** Writes the index atomically (a temporary file renamed over the old one). */
export async function saveIndex(cacheDir: string, files: readonly IndexedFile[]): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const target = indexPath(cacheDir);
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  const body = { format: 'simviz-index', proxyVersion: PROXY_VERSION, files };
  try {
    await writeFile(temporary, JSON.stringify(body));
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
