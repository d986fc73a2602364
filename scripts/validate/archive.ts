/**
 * Reading and writing plugin zips (with fflate: no native code, no temporary folders).
 *
 * Grafana's catalog wants `<plugin-id>-<version>.zip` holding one folder named after the plugin id with the
 * content of dist/ in it, as `cp -r dist <id> && zip -qr <id>-<version>.zip <id>` makes it. The zips written
 * here have the same layout, with directory entries and Unix permissions as `zip -r` stores them for a
 * normal umask: 0755 folders, 0755 files that are executable on disk (any x bit: the backend executables,
 * which Grafana must be able to start and the validator's binarypermissions wants at exactly 0755), 0644
 * all others. Reading gives every entry's Unix mode too, from the central directory (zipDirectory.ts).
 */
import { unzipSync, zipSync, type ZipOptions, type Zippable } from 'fflate';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { SEMVER } from './pluginJson';
import { HOST_UNIX, readCentralDirectory, ZipFormatError } from './zipDirectory';

export { ZipFormatError } from './zipDirectory';

/** A zip's content: every entry name (folders end in `/`), the bytes of every file, every entry's mode. */
export interface ZipArchive {
  names: string[];
  files: Map<string, Uint8Array>;
  /** Unix st_mode of every entry (0o100755, 0o100644, 0o040755), as Go's archive/zip (the validator) reads it. */
  modes: Map<string, number>;
}

/** Files by `/`-separated path, with their modes on disk (st_mode; only the x bits matter to the zip). */
export interface FolderContent {
  files: Map<string, Uint8Array>;
  modes: Map<string, number>;
}

export const FILE_MODE = 0o100644;
export const EXECUTABLE_MODE = 0o100755;
export const DIR_MODE = 0o040755;
const MSDOS_DIRECTORY = 0x10;

/** The mode a file is zipped with: 0755 if any execute bit is set on disk, 0644 otherwise. */
export function zipMode(diskMode: number | undefined): number {
  return diskMode !== undefined && diskMode & 0o111 ? EXECUTABLE_MODE : FILE_MODE;
}

export interface ZipWriteOptions {
  /** Modes on disk by file name (as given to the zip function); files not in it are zipped 0644. */
  modes?: ReadonlyMap<string, number>;
  mtime?: Date;
}

/** Zips files given by their full entry names (`folder/sub/file`); the parent folders get entries of their own. */
export function zipEntries(
  files: Map<string, Uint8Array>,
  { modes = new Map(), mtime = new Date() }: ZipWriteOptions = {}
): Uint8Array {
  const folders = new Set<string>();
  for (const name of files.keys()) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      folders.add(`${parts.slice(0, i).join('/')}/`);
    }
  }
  const entries: Zippable = {};
  const names = [...folders, ...files.keys()].sort();
  for (const name of names) {
    const file = files.get(name);
    const options: ZipOptions =
      file === undefined
        ? { os: HOST_UNIX, attrs: (DIR_MODE << 16) | MSDOS_DIRECTORY, level: 0, mtime }
        : { os: HOST_UNIX, attrs: zipMode(modes.get(name)) << 16, level: 6, mtime };
    entries[name] = [file ?? new Uint8Array(0), options];
  }
  return zipSync(entries);
}

/** Zips files given relative to one top folder (`plugin.json`, `img/logo.svg`) under that folder. */
export function zipFolder(
  topFolder: string,
  files: Map<string, Uint8Array>,
  { modes = new Map(), mtime }: ZipWriteOptions = {}
): Uint8Array {
  const prefixed = new Map<string, Uint8Array>();
  const prefixedModes = new Map<string, number>();
  for (const [name, data] of files) {
    prefixed.set(`${topFolder}/${name}`, data);
    const mode = modes.get(name);
    if (mode !== undefined) {
      prefixedModes.set(`${topFolder}/${name}`, mode);
    }
  }
  return zipEntries(prefixed, { modes: prefixedModes, mtime });
}

/** Every file under `dir`, by its `/`-separated path relative to `dir`, in sorted order, with its mode. */
export function readFolder(dir: string): FolderContent {
  const files = new Map<string, Uint8Array>();
  const modes = new Map<string, number>();
  const walk = (sub: string): void => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name)
    )) {
      const relative = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(relative);
      } else if (entry.isFile()) {
        files.set(relative, readFileSync(path.join(dir, relative)));
        modes.set(relative, statSync(path.join(dir, relative)).mode);
      }
    }
  };
  walk('');
  return { files, modes };
}

/** Reads a zip: the data with fflate, names and modes from the central directory. */
export function parseZip(zip: Uint8Array): ZipArchive {
  const central = readCentralDirectory(zip);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (e) {
    throw new ZipFormatError(`cannot extract: ${e instanceof Error ? e.message : String(e)}`);
  }
  const names = central.map((entry) => entry.name);
  const files = new Map<string, Uint8Array>();
  const modes = new Map<string, number>();
  for (const entry of central) {
    modes.set(entry.name, entry.mode);
    if (entry.name.endsWith('/')) {
      continue;
    }
    const data = entries[entry.name];
    if (data === undefined) {
      throw new ZipFormatError(`${entry.name} is in the central directory but could not be extracted`);
    }
    files.set(entry.name, data);
  }
  return { names, files, modes };
}

export function readZip(file: string): ZipArchive {
  return parseZip(readFileSync(file));
}

interface BuiltPluginJson {
  id?: unknown;
  info?: { version?: unknown };
}

export class PackageError extends Error {}

/** The id and version of a build, read from its plugin.json. */
export function builtPlugin(distDir: string): { id: string; version: string } {
  const pluginJson = path.join(distDir, 'plugin.json');
  if (!existsSync(pluginJson)) {
    throw new PackageError(`${distDir} has no plugin.json: run \`npm run build\` first, then \`npm run package\``);
  }
  const meta = JSON.parse(readFileSync(pluginJson, 'utf8')) as BuiltPluginJson;
  const id = meta.id;
  const version = meta.info?.version;
  if (typeof id !== 'string' || !/^[0-9a-z-]+$/.test(id)) {
    throw new PackageError(`${pluginJson}: "id" is missing or not a plugin id`);
  }
  if (typeof version !== 'string' || !SEMVER.test(version)) {
    throw new PackageError(
      `${pluginJson}: info.version is ${JSON.stringify(version)}, not a version: was dist/ built with \`npm run build\`?`
    );
  }
  return { id, version };
}

export interface PackageResult {
  file: string;
  id: string;
  version: string;
  files: number;
  /** The files zipped as executables (0755), relative to dist/. */
  executables: string[];
  bytes: number;
}

/** Writes `<outDir>/<id>-<version>.zip` with the content of `distDir` in a folder named after the plugin id. */
export function packageDist(distDir: string, outDir: string): PackageResult {
  const { id, version } = builtPlugin(distDir);
  const { files, modes } = readFolder(distDir);
  const zip = zipFolder(id, files, { modes, mtime: statSync(path.join(distDir, 'plugin.json')).mtime });
  const file = path.join(outDir, `${id}-${version}.zip`);
  writeFileSync(file, zip);
  const executables = [...files.keys()].filter((name) => zipMode(modes.get(name)) === EXECUTABLE_MODE);
  return { file, id, version, files: files.size, executables, bytes: zip.byteLength };
}
