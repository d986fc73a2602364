/**
 * Offline checks of a plugin zip, after the cheap analyzers of Grafana's plugin validator (which can't run
 * here: its npm wrapper downloads a Go binary from GitHub). Each check takes the archive's entries in memory
 * and returns its problems; `validateArchive` runs them all. Rule names follow the validator's where it has
 * one (`nested-plugins-not-declared`, `template-readme`, ...).
 *
 *  archive layout      (archive, archivename)   one top folder named after the plugin id, zip `<id>-<version>.zip`
 *  plugin.json schema  (metadatavalid)          see pluginJson.ts
 *  nested plugins      (nestedmetadata, includesnested)  every nested plugin.json declared in the root includes
 *                                               with its path and type; every declared one present
 *  plugin ids          (typesuffix)             ids end in -app / -datasource / -panel after their type, unique
 *  logos and screenshots (metadatapaths, logos, screenshots)  every referenced image (and dashboard) exists
 *  module.js           (modulejs, jsMap)        module.js and module.js.map beside every plugin.json
 *  backend executables (backendbinary, binarypermissions, backenddebug)  for every plugin.json with
 *                                               "backend": true: "executable" set; `<executable>_<os>_<arch>`
 *                                               beside it for platforms of the Go SDK's BuildAll (linux amd64 /
 *                                               arm64 / arm, darwin amd64 / arm64, windows amd64 + .exe), no
 *                                               other `<executable>*` names; linux_amd64 present (our
 *                                               requirement, and the validator's since #642) and really an
 *                                               x86-64 ELF (a warning if it has no Go build info: the official
 *                                               validator reads that); each header matching its name; mode
 *                                               exactly 0755 in the zip (.exe excepted). No file named like
 *                                               an executable in a plugin without "backend": true, no
 *                                               "executable" or "alerting": true without it, no
 *                                               standalone.txt / pid.txt debug files
 *  README and CHANGELOG (readme, templatereadme, changelog, brokenlinks)  present, not the scaffold's text,
 *                                               README links absolute
 *  license             (license)                LICENSE is the full text of a licence the validator accepts
 *  versions            (packagejson)            package.json version = info.version of every plugin.json
 *  placeholders                                 no %VERSION% / %TODAY% / %PLUGIN_ID% left in plugin.json or README
 *  grafanaDependency   (restrictivedep, partly) set on the root plugin, the same on nested ones that set it
 *  discoverability     (discoverability)        description and keywords in every plugin.json
 */
import path from 'node:path';

import type { ZipArchive } from './archive';
import { binaryFormat, formatFits, hasGoBuildInfo } from './binaries';
import { checkPluginJson, isRecord } from './pluginJson';
import { modeString, octal } from './zipDirectory';

export interface Problem {
  /** The validator's rule name where it has one. */
  rule: string;
  /** The archive entry the problem is in (`simviz-simulation-app/datasource/plugin.json`), or the zip itself. */
  file: string;
  message: string;
  /** Warnings are printed but do not fail validation. */
  severity: 'error' | 'warning';
}

export interface CheckResult {
  name: string;
  problems: Problem[];
  /** What was found, printed when the check passes. */
  summary: string;
}

export interface ValidateInput {
  /** The zip's file name (`simviz-simulation-app-0.1.0.zip`). */
  zipName: string;
  archive: ZipArchive;
  /** `version` from the repository's package.json. */
  packageVersion: string;
}

/** One plugin.json in the archive. */
export interface PluginEntry {
  /** Path relative to the top folder: `plugin.json`, `datasource/plugin.json`. */
  path: string;
  /** Its folder relative to the top folder: '' for the root plugin. */
  dir: string;
  json: Record<string, unknown> | undefined;
  parseError?: string;
}

export interface Context {
  zipName: string;
  packageVersion: string;
  archive: ZipArchive;
  /** The single top folder (or the first one), without the slash; undefined for an empty archive. */
  top: string | undefined;
  /** Root plugin first. */
  plugins: PluginEntry[];
}

const decoder = new TextDecoder();

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The plugin's files by their path relative to the top folder. */
function relativeFiles(ctx: Context): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const prefix = `${ctx.top}/`;
  for (const [name, data] of ctx.archive.files) {
    if (name.startsWith(prefix)) {
      files.set(name.slice(prefix.length), data);
    }
  }
  return files;
}

function entryName(ctx: Context, relative: string): string {
  return `${ctx.top ?? ''}/${relative}`;
}

function readText(ctx: Context, relative: string): string | undefined {
  const data = ctx.archive.files.get(entryName(ctx, relative));
  return data === undefined ? undefined : decoder.decode(data);
}

function has(ctx: Context, relative: string): boolean {
  return ctx.archive.files.has(entryName(ctx, relative));
}

function error(ctx: Context, rule: string, relative: string | undefined, message: string): Problem {
  return { rule, file: relative === undefined ? ctx.zipName : entryName(ctx, relative), message, severity: 'error' };
}

function warning(ctx: Context, rule: string, relative: string, message: string): Problem {
  return { ...error(ctx, rule, relative, message), severity: 'warning' };
}

function info(plugin: PluginEntry): Record<string, unknown> {
  const value = plugin.json?.info;
  return isRecord(value) ? value : {};
}

function stringField(record: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** Finds the top folder and every plugin.json below it. */
export function buildContext(input: ValidateInput): Context {
  const tops = [...new Set(input.archive.names.map((name) => name.split('/')[0]).filter((name) => name !== ''))];
  const withPluginJson = tops.find((top) => input.archive.files.has(`${top}/plugin.json`));
  const top = withPluginJson ?? tops[0];
  const plugins: PluginEntry[] = [];
  if (top !== undefined) {
    const pluginPaths = [...input.archive.files.keys()]
      .filter((name) => name.startsWith(`${top}/`) && path.posix.basename(name) === 'plugin.json')
      .map((name) => name.slice(top.length + 1))
      .sort((a, b) => (a === 'plugin.json' ? -1 : b === 'plugin.json' ? 1 : a.localeCompare(b)));
    for (const pluginPath of pluginPaths) {
      const dir = path.posix.dirname(pluginPath);
      const entry: PluginEntry = { path: pluginPath, dir: dir === '.' ? '' : dir, json: undefined };
      try {
        const json: unknown = JSON.parse(decoder.decode(input.archive.files.get(`${top}/${pluginPath}`)));
        if (isRecord(json)) {
          entry.json = json;
        } else {
          entry.parseError = 'is not a JSON object';
        }
      } catch (e) {
        entry.parseError = `is not valid JSON (${e instanceof Error ? e.message : String(e)})`;
      }
      plugins.push(entry);
    }
  }
  return { zipName: input.zipName, packageVersion: input.packageVersion, archive: input.archive, top, plugins };
}

function rootPlugin(ctx: Context): PluginEntry | undefined {
  return ctx.plugins.find((p) => p.path === 'plugin.json');
}

// ---------------------------------------------------------------------------------------------------------
// The checks

export function checkArchiveLayout(ctx: Context): CheckResult {
  const name = 'archive layout';
  const problems: Problem[] = [];
  const { names } = ctx.archive;
  if (names.length === 0) {
    return { name, problems: [error(ctx, 'archive-empty', undefined, 'the zip is empty')], summary: '' };
  }
  for (const entry of names) {
    if (entry.startsWith('/') || entry.split('/').includes('..') || entry.includes('\\')) {
      problems.push(
        error(ctx, 'archive-unsafe-path', undefined, `entry ${JSON.stringify(entry)} is absolute or leaves the archive`)
      );
    }
  }
  const rootFiles = names.filter((entry) => !entry.includes('/'));
  for (const file of rootFiles) {
    problems.push(
      error(
        ctx,
        'archive-root-files',
        undefined,
        `${file} is at the top of the zip; everything belongs in one folder named after the plugin id`
      )
    );
  }
  const tops = [...new Set(names.filter((entry) => entry.includes('/')).map((entry) => entry.split('/')[0]))];
  if (tops.length > 1) {
    problems.push(
      error(
        ctx,
        'archive-top-folders',
        undefined,
        `the zip has ${tops.length} top folders (${tops.join(', ')}); it needs exactly one`
      )
    );
  }
  const root = rootPlugin(ctx);
  if (!root) {
    problems.push(error(ctx, 'archive-plugin-json', undefined, `no plugin.json in the top folder ${ctx.top ?? ''}/`));
    return { name, problems, summary: '' };
  }
  const id = stringField(root.json, 'id');
  const version = stringField(info(root), 'version');
  if (id !== undefined && ctx.top !== id) {
    problems.push(
      error(
        ctx,
        'archive-top-folder',
        undefined,
        `the top folder is ${ctx.top}/, but must be named after the plugin id: ${id}/`
      )
    );
  }
  if (id !== undefined && version !== undefined && ctx.zipName !== `${id}-${version}.zip`) {
    problems.push(
      error(ctx, 'archive-name', undefined, `the zip must be named ${id}-${version}.zip (plugin id and info.version)`)
    );
  }
  const files = ctx.archive.files.size;
  return { name, problems, summary: `one top folder ${ctx.top}/ (${files} files), zip named ${ctx.zipName}` };
}

export function checkSchema(ctx: Context): CheckResult {
  const problems: Problem[] = [];
  for (const plugin of ctx.plugins) {
    if (plugin.parseError) {
      problems.push(error(ctx, 'invalid-metadata', plugin.path, plugin.parseError));
      continue;
    }
    for (const e of checkPluginJson(plugin.json)) {
      problems.push(error(ctx, 'invalid-metadata', plugin.path, `${e.where} ${e.message}`));
    }
  }
  return { name: 'plugin.json schema', problems, summary: ctx.plugins.map((p) => p.path).join(', ') };
}

interface Include {
  type?: unknown;
  path?: unknown;
}

function includes(plugin: PluginEntry | undefined): Include[] {
  const value = plugin?.json?.includes;
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

const PLUGIN_INCLUDE_TYPES = new Set(['datasource', 'panel', 'app', 'secretsmanager']);

export function checkNestedPlugins(ctx: Context): CheckResult {
  const problems: Problem[] = [];
  const root = rootPlugin(ctx);
  const declared = includes(root);
  const found: string[] = [];
  for (const nested of ctx.plugins.filter((p) => p !== root)) {
    const include = declared.find((i) => i.path === nested.path);
    const type = stringField(nested.json, 'type');
    if (!include) {
      problems.push(
        error(
          ctx,
          'nested-plugins-not-declared',
          'plugin.json',
          `${nested.path} is in the archive but not declared in includes (add {"type": "${type ?? '…'}", "path": "${nested.path}"})`
        )
      );
    } else if (typeof include.type !== 'string' || include.type === '') {
      problems.push(
        error(ctx, 'nested-plugin-missing-type', 'plugin.json', `the include of ${nested.path} has no type`)
      );
    } else if (include.type !== type) {
      problems.push(
        error(
          ctx,
          'nested-plugin-type-mismatch',
          'plugin.json',
          `${nested.path} is included as type "${include.type}" but is a ${type ?? 'plugin without a type'}`
        )
      );
    } else {
      found.push(`${nested.path} (${type})`);
    }
  }
  for (const include of declared) {
    const target = typeof include.path === 'string' ? include.path : undefined;
    const pluginInclude = typeof include.type === 'string' && PLUGIN_INCLUDE_TYPES.has(include.type);
    if (
      target !== undefined &&
      (pluginInclude || target.endsWith('plugin.json')) &&
      !ctx.plugins.some((p) => p.path === target)
    ) {
      problems.push(
        error(
          ctx,
          'nested-plugin-json-missing',
          'plugin.json',
          `includes a ${String(include.type)} at ${target}, which is not in the archive`
        )
      );
    }
  }
  return {
    name: 'nested plugins',
    problems,
    summary: found.length ? `declared in includes: ${found.join(', ')}` : 'none',
  };
}

const TYPE_SUFFIXES: Record<string, string> = { app: '-app', datasource: '-datasource', panel: '-panel' };

export function checkPluginIds(ctx: Context): CheckResult {
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  for (const plugin of ctx.plugins) {
    const id = stringField(plugin.json, 'id');
    const type = stringField(plugin.json, 'type');
    if (id === undefined || type === undefined) {
      problems.push(error(ctx, 'plugin-id', plugin.path, 'has no string "id" and "type"'));
      continue;
    }
    const suffix = TYPE_SUFFIXES[type];
    if (suffix && !id.endsWith(suffix)) {
      problems.push(
        error(ctx, 'plugin-id-type-suffix', plugin.path, `the id ${id} of a ${type} plugin must end in ${suffix}`)
      );
    }
    const other = seen.get(id);
    if (other !== undefined) {
      problems.push(error(ctx, 'plugin-id-duplicate', plugin.path, `the id ${id} is also used by ${other}`));
    }
    seen.set(id, plugin.path);
  }
  const ids = ctx.plugins.map((p) => `${stringField(p.json, 'id') ?? '?'} (${stringField(p.json, 'type') ?? '?'})`);
  return { name: 'plugin ids', problems, summary: ids.join(', ') };
}

/** Resolves a path from a plugin.json against its folder; undefined if it is a URL or leaves the archive. */
function resolveAsset(dir: string, reference: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(reference) || reference.startsWith('/')) {
    return undefined;
  }
  const resolved = path.posix.normalize(path.posix.join(dir, reference));
  return resolved.startsWith('..') ? undefined : resolved;
}

export function checkAssets(ctx: Context): CheckResult {
  const problems: Problem[] = [];
  let logos = 0;
  let screenshots = 0;
  let dashboards = 0;
  const checkReference = (plugin: PluginEntry, field: string, reference: unknown): boolean => {
    if (typeof reference !== 'string' || reference === '') {
      return false;
    }
    const resolved = resolveAsset(plugin.dir, reference);
    if (resolved === undefined) {
      problems.push(
        error(
          ctx,
          'missing-asset',
          plugin.path,
          `${field} ${JSON.stringify(reference)} must be a path inside the plugin folder`
        )
      );
    } else if (!has(ctx, resolved)) {
      problems.push(
        error(
          ctx,
          'missing-asset',
          plugin.path,
          `${field} ${JSON.stringify(reference)}: ${resolved} is not in the archive`
        )
      );
    }
    return true;
  };
  for (const plugin of ctx.plugins) {
    const meta = info(plugin);
    const logoPaths = isRecord(meta.logos) ? meta.logos : {};
    for (const size of ['small', 'large']) {
      if (checkReference(plugin, `info.logos.${size}`, logoPaths[size])) {
        logos++;
      } else {
        problems.push(error(ctx, 'missing-asset', plugin.path, `info.logos.${size} is not set`));
      }
    }
    const shots = Array.isArray(meta.screenshots) ? meta.screenshots.filter(isRecord) : [];
    shots.forEach((shot, index) => checkReference(plugin, `info.screenshots[${index}].path`, shot.path));
    screenshots += shots.length;
    if (plugin.dir === '' && shots.length === 0) {
      problems.push(
        warning(ctx, 'screenshots', plugin.path, 'info.screenshots is empty: the catalog page will show no screenshots')
      );
    }
    for (const include of includes(plugin)) {
      if (include.type === 'dashboard' && typeof include.path === 'string') {
        checkReference(plugin, 'dashboard include', include.path);
        dashboards++;
      }
    }
  }
  return {
    name: 'logos and screenshots',
    problems,
    summary: `${count(logos, 'logo')}, ${count(screenshots, 'screenshot')} and ${count(dashboards, 'dashboard')} found`,
  };
}

export function checkModuleJs(ctx: Context): CheckResult {
  const problems: Problem[] = [];
  for (const plugin of ctx.plugins) {
    const modulePath = plugin.dir ? `${plugin.dir}/module.js` : 'module.js';
    if (!has(ctx, modulePath)) {
      problems.push(
        error(ctx, 'missing-module-js', modulePath, `is missing: ${plugin.path} has no module.js beside it`)
      );
      continue;
    }
    const mapPath = `${modulePath}.map`;
    const map = readText(ctx, mapPath);
    if (map === undefined) {
      problems.push(error(ctx, 'missing-js-map', mapPath, 'is missing: the catalog review needs source maps'));
      continue;
    }
    try {
      const parsed: unknown = JSON.parse(map);
      if (!isRecord(parsed) || parsed.version !== 3 || !Array.isArray(parsed.sources) || parsed.sources.length === 0) {
        problems.push(error(ctx, 'invalid-js-map', mapPath, 'is not a version 3 source map with sources'));
      }
    } catch {
      problems.push(error(ctx, 'invalid-js-map', mapPath, 'is not valid JSON'));
    }
  }
  const modules = ctx.plugins.map((p) => (p.dir ? `${p.dir}/module.js` : 'module.js'));
  return { name: 'module.js', problems, summary: `${modules.join(', ')} with source maps` };
}

/**
 * The platforms a backend executable is built for: those of the Go plugin SDK's `build.BuildAll` (Linux,
 * LinuxARM64, LinuxARM, Darwin, DarwinARM64, Windows in grafana-plugin-sdk-go build/common.go), named as
 * Grafana looks the executable up: `<executable>_<GOOS>_<GOARCH>`, `.exe` on Windows (grafana/grafana
 * pkg/plugins/plugins.go, executablePath).
 */
export const BACKEND_PLATFORMS: ReadonlyArray<{ os: 'linux' | 'darwin' | 'windows'; arch: string }> = [
  { os: 'linux', arch: 'amd64' },
  { os: 'linux', arch: 'arm64' },
  { os: 'linux', arch: 'arm' },
  { os: 'darwin', arch: 'amd64' },
  { os: 'darwin', arch: 'arm64' },
  { os: 'windows', arch: 'amd64' },
];

const platformSuffix = (os: string, arch: string): string => `_${os}_${arch}${os === 'windows' ? '.exe' : ''}`;

const PLATFORM_LIST = BACKEND_PLATFORMS.map((p) => platformSuffix(p.os, p.arch).slice(1)).join(', ');

/** Names ending like a Go platform build: what a backend executable looks like whatever plugin it is in. */
const LOOKS_LIKE_EXECUTABLE = /_(linux|darwin|windows|freebsd)_(amd64|arm64|arm|386)(\.exe)?$/;

/** Files the SDK's standalone (debugger) mode writes; the validator's backenddebug rejects them. */
const BACKEND_DEBUG_FILES = ['standalone.txt', 'pid.txt'];

/** The plugin a file belongs to: the one whose folder is the deepest that holds it. */
function ownerOf(ctx: Context, relative: string): PluginEntry | undefined {
  let owner: PluginEntry | undefined;
  for (const plugin of ctx.plugins) {
    if (
      (plugin.dir === '' || relative.startsWith(`${plugin.dir}/`)) &&
      plugin.dir.length >= (owner?.dir.length ?? -1)
    ) {
      owner = plugin;
    }
  }
  return owner;
}

export function checkBackend(ctx: Context): CheckResult {
  const problems: Problem[] = [];
  const found: string[] = [];
  const files = [...relativeFiles(ctx).keys()];
  /** Files already judged as some plugin's `<executable>*`. */
  const judged = new Set<string>();
  let declaresExecutable = false;
  for (const plugin of ctx.plugins) {
    const json = plugin.json;
    if (!json) {
      continue;
    }
    const backend = json.backend === true;
    const executable = stringField(json, 'executable');
    declaresExecutable ||= executable !== undefined;
    if (json.alerting === true && !backend) {
      problems.push(
        error(
          ctx,
          'alerting-found-but-backend-false',
          plugin.path,
          '"alerting" is true but "backend" is not: alert rules are evaluated by the plugin\'s backend; set "backend": true (and ship the executable) or drop "alerting"'
        )
      );
    }
    if (executable !== undefined && !backend) {
      problems.push(
        error(
          ctx,
          'backend-found-but-not-declared',
          plugin.path,
          `"executable" is ${JSON.stringify(executable)} but "backend" is not true: Grafana only starts the executables of backend plugins; set "backend": true or remove "executable"`
        )
      );
    }
    if (!backend) {
      continue;
    }
    if (!executable?.trim()) {
      problems.push(
        error(
          ctx,
          'backend-binary-mission',
          plugin.path,
          '"backend" is true but "executable" is not set: set it to the executable\'s name without the _<os>_<arch> suffix'
        )
      );
      continue;
    }
    const resolved = resolveAsset(plugin.dir, path.posix.dirname(executable));
    if (resolved === undefined) {
      problems.push(
        error(
          ctx,
          'backend-binary-mission',
          plugin.path,
          `"executable" ${JSON.stringify(executable)} must be a name, or a path inside the plugin folder`
        )
      );
      continue;
    }
    const folder = resolved === '.' ? '' : resolved;
    const base = path.posix.basename(executable);
    const prefix = folder ? `${folder}/${base}` : base;
    const platforms: string[] = [];
    let misnamed = false;
    for (const file of files.filter(
      (f) => path.posix.dirname(f) === (folder || '.') && path.posix.basename(f).startsWith(base)
    )) {
      judged.add(file);
      const suffix = path.posix.basename(file).slice(base.length);
      const platform = BACKEND_PLATFORMS.find((p) => platformSuffix(p.os, p.arch) === suffix);
      if (!platform) {
        misnamed = true;
        problems.push(
          error(
            ctx,
            'backend-binary-stray',
            file,
            `is named after "executable" ${base} but ${suffix ? `"${suffix}"` : 'has no suffix, which'} is not a platform Grafana starts: name it ${base}_<os>_<arch> for one of ${PLATFORM_LIST}, or remove it`
          )
        );
        continue;
      }
      const named = `${platform.os}_${platform.arch}`;
      platforms.push(named);
      const notes: string[] = [];
      if (platform.os !== 'windows') {
        const mode = ctx.archive.modes.get(entryName(ctx, file)) ?? 0;
        if ((mode & 0o170000) !== 0o100000 || (mode & 0o777) !== 0o755) {
          problems.push(
            error(
              ctx,
              'binary-executable-permissions',
              file,
              `has mode ${octal(mode)} (${modeString(mode)}) in the zip but must be exactly 0755 (-rwxr-xr-x), or Grafana can't start it: \`chmod 755\` it in dist/ and run \`npm run package\` again`
            )
          );
        } else {
          notes.push('0755');
        }
      }
      const data = ctx.archive.files.get(entryName(ctx, file)) ?? new Uint8Array(0);
      const format = binaryFormat(data);
      const linuxAmd64 = named === 'linux_amd64';
      const formatRule = linuxAmd64 ? 'backend-binary-not-linux-amd64' : 'backend-binary-platform-mismatch';
      if ('unknown' in format) {
        problems.push(
          error(ctx, formatRule, file, `is named for ${platform.os}/${platform.arch} but is ${format.unknown}`)
        );
      } else if (!formatFits(format, platform.os, platform.arch)) {
        problems.push(
          error(
            ctx,
            formatRule,
            file,
            `is named for ${platform.os}/${platform.arch} but is an ${format.description} executable`
          )
        );
      } else {
        notes.push(format.description);
        if (linuxAmd64 && !hasGoBuildInfo(data)) {
          problems.push(
            warning(
              ctx,
              'backend-binary-not-linux-amd64',
              file,
              'is an x86-64 ELF executable but not a Go binary (no Go build info): the official validator (backendbinary, since plugin-validator #642) tells the linux/amd64 binary by the GOOS/GOARCH of its Go build info and will report "Missing linux/amd64 backend binary" for it; this offline check goes by the ELF header'
            )
          );
          notes.push('not Go');
        }
      }
      found.push(`${file} (${notes.join(', ')})`);
    }
    if (platforms.length === 0) {
      problems.push(
        error(
          ctx,
          'backend-binary-mission',
          plugin.path,
          `"backend" is true but there is no executable ${prefix}_<os>_<arch> in the archive (for one of ${PLATFORM_LIST}): ${misnamed ? 'rename the misnamed one' : 'run `npm run build` before `npm run package`'}`
        )
      );
    } else if (!platforms.includes('linux_amd64')) {
      problems.push(
        error(
          ctx,
          'backend-binary-not-linux-amd64',
          plugin.path,
          `has no ${prefix}_linux_amd64 (only ${platforms.join(', ')}): SimViz requires a linux/amd64 executable in every package, the platform of Grafana's Docker images and of grafana.com (the validator requires it too)`
        )
      );
    }
  }
  for (const file of files) {
    const basename = path.posix.basename(file);
    if (declaresExecutable && BACKEND_DEBUG_FILES.includes(basename)) {
      problems.push(
        error(
          ctx,
          'backend-debug-file-present',
          file,
          `is a debug file of the SDK's standalone mode: with it Grafana won't start the executable itself, which makes the plugin unusable in production; remove it`
        )
      );
    }
    if (judged.has(file) || !LOOKS_LIKE_EXECUTABLE.test(basename)) {
      continue;
    }
    const owner = ownerOf(ctx, file);
    const ownerPath = owner?.path ?? 'plugin.json';
    const ownerExecutable = stringField(owner?.json, 'executable');
    if (owner?.json?.backend !== true) {
      problems.push(
        error(
          ctx,
          'backend-found-but-not-declared',
          file,
          `is named like a backend executable but ${ownerPath} has no "backend": true: Grafana won't start it; declare the backend (with "executable") there or remove the file`
        )
      );
    } else if (ownerExecutable === undefined) {
      problems.push(
        error(
          ctx,
          'backend-found-but-not-declared',
          file,
          `is named like a backend executable but ${ownerPath} sets no "executable", so Grafana won't start it`
        )
      );
    } else {
      problems.push(
        error(
          ctx,
          'backend-binary-stray',
          file,
          `is named like a backend executable but not as "executable" ${ownerExecutable} of ${ownerPath} says, beside it: Grafana will never start it; rename or remove it`
        )
      );
    }
  }
  return {
    name: 'backend executables',
    problems,
    summary: found.length ? found.join(', ') : 'no backend plugins and no executables',
  };
}

/** Text only found in the READMEs create-plugin and the older plugin templates generate. */
export const TEMPLATE_README_MARKERS: readonly RegExp[] = [
  // the validator's own templatereadme rule
  /^# Grafana (Panel|Data Source|Data Source Backend) Plugin Template/,
  // create-plugin's src/README.md template
  /This README file is going to be the one displayed on the Grafana\.com website for your plugin/i,
  /Provide one or more paragraphs as an introduction to your plugin/i,
  /Provide a quick start on how to configure and use the plugin/i,
  // create-plugin's older top-level README templates
  /This template is a starting point for building/i,
  /^# Grafana (app|panel|data ?source|backend) plugin template/im,
];

/** create-plugin's CHANGELOG.md, whitespace collapsed. */
export const SCAFFOLD_CHANGELOG = '# Changelog ## 1.0.0 (Unreleased) Initial release.';

const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

export function checkDocs(ctx: Context): CheckResult {
  const problems: Problem[] = [];
  const readme = readText(ctx, 'README.md');
  if (readme === undefined || readme.trim() === '') {
    problems.push(error(ctx, 'missing-readme', 'README.md', readme === undefined ? 'is missing' : 'is empty'));
  } else {
    const marker = TEMPLATE_README_MARKERS.find((re) => re.test(readme));
    if (marker) {
      problems.push(
        error(ctx, 'template-readme', 'README.md', `is still create-plugin's template (matches /${marker.source}/)`)
      );
    }
    // The catalog shows the README outside the repository: relative links and images break there.
    for (const match of readme.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)/g)) {
      const target = match[1];
      if (!/^([a-z][a-z0-9+.-]*:|#)/i.test(target)) {
        problems.push(error(ctx, 'readme-relative-link', 'README.md', `links to ${target}; use an absolute URL`));
      }
    }
  }
  const changelog = readText(ctx, 'CHANGELOG.md');
  if (changelog === undefined || changelog.trim() === '') {
    problems.push(error(ctx, 'missing-changelog', 'CHANGELOG.md', changelog === undefined ? 'is missing' : 'is empty'));
  } else if (collapse(changelog) === SCAFFOLD_CHANGELOG) {
    problems.push(
      error(
        ctx,
        'template-changelog',
        'CHANGELOG.md',
        "is still create-plugin's placeholder (1.0.0 Unreleased, Initial release.)"
      )
    );
  } else if (!/^##\s+\S/m.test(changelog)) {
    problems.push(error(ctx, 'template-changelog', 'CHANGELOG.md', 'has no "## <version>" entries'));
  }
  return { name: 'README and CHANGELOG', problems, summary: "README.md and CHANGELOG.md present, not the scaffold's" };
}

/**
 * Licences the validator accepts (its `license` analyzer detects the licence with go-license-detector at 90%
 * confidence and accepts names starting with AGPL-3.0 or Apache-2.0), recognised here by phrases of the full
 * licence text: a one-line notice would not reach that confidence.
 */
export const ACCEPTED_LICENSES: ReadonlyArray<{ id: string; phrases: readonly string[] }> = [
  {
    id: 'AGPL-3.0',
    phrases: [
      'GNU AFFERO GENERAL PUBLIC LICENSE',
      'Version 3, 19 November 2007',
      'Remote Network Interaction',
      'END OF TERMS AND CONDITIONS',
    ],
  },
  {
    id: 'Apache-2.0',
    phrases: [
      'Apache License',
      'Version 2.0, January 2004',
      'Grant of Copyright License',
      'END OF TERMS AND CONDITIONS',
    ],
  },
];

const LICENSE_FILES = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'];

export function checkLicense(ctx: Context): CheckResult {
  const file = LICENSE_FILES.find((name) => has(ctx, name));
  if (file === undefined) {
    return { name: 'license', problems: [error(ctx, 'license-not-provided', 'LICENSE', 'is missing')], summary: '' };
  }
  const text = collapse(readText(ctx, file) ?? '');
  const license = ACCEPTED_LICENSES.find((l) => l.phrases.every((phrase) => text.includes(phrase)));
  const problems = license
    ? []
    : [
        error(
          ctx,
          'license-not-provided',
          file,
          `is not the full text of a licence the validator accepts (${ACCEPTED_LICENSES.map((l) => l.id).join(', ')})`
        ),
      ];
  return { name: 'license', problems, summary: `${file} is ${license?.id ?? '?'}` };
}

export function checkVersions(ctx: Context): CheckResult {
  const problems: Problem[] = [];
  for (const plugin of ctx.plugins) {
    const version = stringField(info(plugin), 'version');
    if (version !== ctx.packageVersion) {
      problems.push(
        error(
          ctx,
          'version-mismatch',
          plugin.path,
          `info.version is ${JSON.stringify(version ?? null)} but package.json says ${ctx.packageVersion}`
        )
      );
    }
  }
  const files = ctx.plugins.map((p) => p.path).join(', ');
  return { name: 'versions', problems, summary: `package.json ${ctx.packageVersion} = info.version of ${files}` };
}

const PLACEHOLDER = /%(VERSION|TODAY|PLUGIN_ID)%/g;

export function checkPlaceholders(ctx: Context): CheckResult {
  const problems: Problem[] = [];
  const scanned = [...relativeFiles(ctx).keys()].filter((name) =>
    ['plugin.json', 'README.md'].includes(path.posix.basename(name))
  );
  for (const name of scanned) {
    const found = [...new Set((readText(ctx, name) ?? '').match(PLACEHOLDER) ?? [])];
    if (found.length) {
      problems.push(
        error(ctx, 'placeholder-left', name, `still contains ${found.join(', ')} (not replaced by the build)`)
      );
    }
  }
  return { name: 'placeholders', problems, summary: `none in ${scanned.join(', ')}` };
}

function grafanaDependency(plugin: PluginEntry): string | undefined {
  const dependencies = plugin.json?.dependencies;
  return isRecord(dependencies) ? stringField(dependencies, 'grafanaDependency') : undefined;
}

export function checkGrafanaDependency(ctx: Context): CheckResult {
  const problems: Problem[] = [];
  const root = rootPlugin(ctx);
  const range = root ? grafanaDependency(root) : undefined;
  if (!range?.trim()) {
    problems.push(error(ctx, 'grafana-dependency', 'plugin.json', 'dependencies.grafanaDependency is not set'));
  }
  for (const nested of ctx.plugins.filter((p) => p !== root)) {
    const nestedRange = grafanaDependency(nested);
    if (nestedRange !== undefined && nestedRange !== range) {
      problems.push(
        error(
          ctx,
          'grafana-dependency',
          nested.path,
          `dependencies.grafanaDependency is ${nestedRange} but the app's is ${range ?? 'not set'}`
        )
      );
    }
  }
  return { name: 'grafanaDependency', problems, summary: `${range ?? ''} (nested plugins: the same or unset)` };
}

export function checkDiscoverability(ctx: Context): CheckResult {
  const problems: Problem[] = [];
  for (const plugin of ctx.plugins) {
    const meta = info(plugin);
    const description = stringField(meta, 'description');
    if (!description?.trim()) {
      problems.push(error(ctx, 'discoverability', plugin.path, 'info.description is missing or empty'));
    }
    const keywords = Array.isArray(meta.keywords)
      ? meta.keywords.filter((k) => typeof k === 'string' && k.trim() !== '')
      : [];
    if (keywords.length === 0) {
      problems.push(error(ctx, 'discoverability', plugin.path, 'info.keywords is missing or empty'));
    }
  }
  return { name: 'discoverability', problems, summary: 'description and keywords in every plugin.json' };
}

export const CHECKS: ReadonlyArray<(ctx: Context) => CheckResult> = [
  checkArchiveLayout,
  checkSchema,
  checkNestedPlugins,
  checkPluginIds,
  checkAssets,
  checkModuleJs,
  checkBackend,
  checkDocs,
  checkLicense,
  checkVersions,
  checkPlaceholders,
  checkGrafanaDependency,
  checkDiscoverability,
];

/** Runs every check. Without a root plugin.json only the layout check can say anything useful. */
export function validateArchive(input: ValidateInput): CheckResult[] {
  const ctx = buildContext(input);
  const layout = checkArchiveLayout(ctx);
  if (!rootPlugin(ctx)) {
    return [layout];
  }
  return [layout, ...CHECKS.slice(1).map((check) => check(ctx))];
}

export function failed(results: CheckResult[]): boolean {
  return results.some((r) => r.problems.some((p) => p.severity === 'error'));
}

/** One line per passed check, one per problem otherwise: `✓ name: summary`, `✗ name: file: message`. */
export function formatResults(results: CheckResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    const errors = result.problems.filter((p) => p.severity === 'error');
    if (errors.length === 0) {
      lines.push(`✓ ${result.name}: ${result.summary}`);
    }
    for (const p of result.problems) {
      lines.push(`${p.severity === 'error' ? '✗' : '!'} ${result.name}: ${p.file}: ${p.message} [${p.rule}]`);
    }
  }
  return lines;
}
