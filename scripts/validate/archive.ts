/**
 * Reading and writing plugin zips (with fflate: no native code, no temporary folders).
 *
 * Grafana's catalog wants `<plugin-id>-<version>.zip` holding one folder named after the plugin id with the
 * content of dist/ in it, as `cp -r dist <id> && zip -qr <id>-<version>.zip <id>` makes it. The zips written
 * here have the same layout, with directory entries and Unix permissions (0644 files, 0755 folders) so that
 * every unzip tool, and Grafana's installer, extracts readable files.
 */
import { unzipSync, zipSync, type ZipOptions, type Zippable } from 'fflate';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { SEMVER } from './pluginJson';

/** A zip's content: every entry name (folders end in `/`) and the bytes of every file. */
export interface ZipArchive {
  names: string[];
  files: Map<string, Uint8Array>;
}

const UNIX = 3;
const FILE_MODE = 0o100644;
const DIR_MODE = 0o040755;
const MSDOS_DIRECTORY = 0x10;

/** Zips files given by their full entry names (`folder/sub/file`); the parent folders get entries of their own. */
export function zipEntries(files: Map<string, Uint8Array>, mtime: Date = new Date()): Uint8Array {
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
        ? { os: UNIX, attrs: (DIR_MODE << 16) | MSDOS_DIRECTORY, level: 0, mtime }
        : { os: UNIX, attrs: FILE_MODE << 16, level: 6, mtime };
    entries[name] = [file ?? new Uint8Array(0), options];
  }
  return zipSync(entries);
}

/** Zips files given relative to one top folder (`plugin.json`, `img/logo.svg`) under that folder. */
export function zipFolder(topFolder: string, files: Map<string, Uint8Array>, mtime?: Date): Uint8Array {
  const prefixed = new Map<string, Uint8Array>();
  for (const [name, data] of files) {
    prefixed.set(`${topFolder}/${name}`, data);
  }
  return zipEntries(prefixed, mtime);
}

/** Every file under `dir`, by its `/`-separated path relative to `dir`, in sorted order. */
export function filesInFolder(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const walk = (sub: string): void => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name)
    )) {
      const relative = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(relative);
      } else if (entry.isFile()) {
        files.set(relative, readFileSync(path.join(dir, relative)));
      }
    }
  };
  walk('');
  return files;
}

export function readZip(file: string): ZipArchive {
  const entries = unzipSync(readFileSync(file));
  const names = Object.keys(entries);
  const files = new Map<string, Uint8Array>();
  for (const name of names) {
    if (!name.endsWith('/')) {
      files.set(name, entries[name]);
    }
  }
  return { names, files };
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
  bytes: number;
}

/** Writes `<outDir>/<id>-<version>.zip` with the content of `distDir` in a folder named after the plugin id. */
export function packageDist(distDir: string, outDir: string): PackageResult {
  const { id, version } = builtPlugin(distDir);
  const files = filesInFolder(distDir);
  const zip = zipFolder(id, files, statSync(path.join(distDir, 'plugin.json')).mtime);
  const file = path.join(outDir, `${id}-${version}.zip`);
  writeFileSync(file, zip);
  return { file, id, version, files: files.size, bytes: zip.byteLength };
}
