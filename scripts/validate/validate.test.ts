import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { builtPlugin, PackageError, packageDist, readZip, zipEntries, zipFolder } from './archive';
import { binaryFormat, hasGoBuildInfo } from './binaries';
import { type CheckResult, failed, formatResults, validateArchive } from './checks';
import { checkPluginJson, checkShape } from './pluginJson';

const ID = 'simviz-simulation-app';
const VERSION = '0.1.0';
const LICENSE = readFileSync(path.resolve(__dirname, '../../LICENSE'));
const encoder = new TextEncoder();

interface TestInclude {
  type?: string;
  name: string;
  path?: string;
}

interface TestPluginJson {
  id: string;
  type: string;
  name: string;
  metrics?: unknown;
  backend?: boolean;
  executable?: string;
  alerting?: boolean;
  info: {
    description?: string;
    keywords: string[];
    logos: { small: string; large: string };
    screenshots: Array<{ name: string; path: string }>;
    version: string;
    updated: string;
  };
  includes?: TestInclude[];
  dependencies: { grafanaDependency: string; plugins: never[] };
}

function appJson(): TestPluginJson {
  return {
    id: ID,
    type: 'app',
    name: 'SimViz',
    info: {
      description: 'Simulation results in Grafana',
      keywords: ['simulation'],
      logos: { small: 'img/logo.svg', large: 'img/logo.svg' },
      screenshots: [{ name: 'Query editor', path: 'img/screenshot.png' }],
      version: VERSION,
      updated: '2026-11-30',
    },
    includes: [
      { type: 'datasource', name: 'SimViz', path: 'datasource/plugin.json' },
      { type: 'page', name: 'Simulations', path: `/a/${ID}/simulations` },
      { type: 'dashboard', name: 'Overview', path: 'dashboards/overview.json' },
    ],
    dependencies: { grafanaDependency: '>=12.3.0', plugins: [] },
  };
}

function datasourceJson(): TestPluginJson {
  return {
    id: 'simviz-simulation-datasource',
    type: 'datasource',
    name: 'SimViz',
    metrics: true,
    backend: true,
    executable: 'gpx_simviz',
    alerting: true,
    info: {
      description: 'Simulation results',
      keywords: ['datasource'],
      logos: { small: 'img/logo.svg', large: 'img/logo.svg' },
      screenshots: [],
      version: VERSION,
      updated: '2026-11-30',
    },
    dependencies: { grafanaDependency: '>=12.3.0', plugins: [] },
  };
}

type Platform = 'linux_amd64' | 'linux_arm64' | 'linux_arm' | 'darwin_amd64' | 'darwin_arm64' | 'windows_amd64';

const GO_BUILDINFO = '\xff Go buildinf:';

/**
 * The first bytes of an executable for `platform` (its ELF, Mach-O or PE header), with Go's build info
 * magic after them unless `go` is false (a Node single executable application has none).
 */
function fakeBinary(platform: Platform, { go = true }: { go?: boolean } = {}): Uint8Array {
  const header = new Uint8Array(0x80);
  const d = new DataView(header.buffer);
  const [goos, arch] = platform.split('_');
  if (goos === 'linux') {
    header.set([0x7f, 0x45, 0x4c, 0x46, arch === 'arm' ? 1 : 2, 1, 1]);
    d.setUint16(16, 2, true);
    d.setUint16(18, { amd64: 62, arm64: 183, arm: 40 }[arch] ?? 0, true);
  } else if (goos === 'darwin') {
    d.setUint32(0, 0xfeedfacf, true);
    d.setUint32(4, arch === 'amd64' ? 0x01000007 : 0x0100000c, true);
  } else {
    header.set([0x4d, 0x5a]);
    d.setUint32(0x3c, 0x40, true);
    d.setUint32(0x40, 0x50450000, false);
    d.setUint16(0x44, 0x8664, true);
  }
  const tail = go ? Buffer.from(`${GO_BUILDINFO}\x08\x02`, 'latin1') : Buffer.from('node sea blob');
  return new Uint8Array(Buffer.concat([header, tail]));
}

const EXECUTABLE = 'datasource/gpx_simviz_linux_amd64';

const sourceMap = JSON.stringify({ version: 3, sources: ['webpack://simviz/./module.ts'], mappings: 'AAAA' });

/** The content of a good dist/, by path relative to it. */
function goodFiles(): Map<string, Uint8Array> {
  const text: Record<string, string> = {
    'plugin.json': JSON.stringify(appJson(), null, 2),
    'module.js': 'define([], function () {});',
    'module.js.map': sourceMap,
    'img/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'img/screenshot.png': 'png',
    'dashboards/overview.json': '{"title": "Overview"}',
    'README.md': '# SimViz\n\nPlot Modelica results. See [the docs](https://example.org/simviz).\n',
    'CHANGELOG.md': '# Changelog\n\n## 0.1.0\n\n- First release.\n',
    'datasource/plugin.json': JSON.stringify(datasourceJson(), null, 2),
    'datasource/module.js': 'define([], function () {});',
    'datasource/module.js.map': sourceMap,
    'datasource/img/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  };
  const files = new Map<string, Uint8Array>(
    Object.entries(text).map(([name, content]) => [name, encoder.encode(content)])
  );
  files.set('LICENSE', LICENSE);
  files.set(EXECUTABLE, fakeBinary('linux_amd64'));
  return files;
}

/** What is executable in a dist/ made by `npm run build`: everything named `*_<os>_<arch>`. */
function executableModes(files: Map<string, Uint8Array>): Map<string, number> {
  const modes = new Map<string, number>();
  for (const name of files.keys()) {
    modes.set(name, /_(linux|darwin|windows)_[a-z0-9]+(\.exe)?$/.test(name) ? 0o100755 : 0o100644);
  }
  return modes;
}

function rename(files: Map<string, Uint8Array>, from: string, to: string): void {
  files.set(to, files.get(from)!);
  files.delete(from);
}

function editJson(files: Map<string, Uint8Array>, name: string, edit: (json: TestPluginJson) => void): void {
  const json = JSON.parse(new TextDecoder().decode(files.get(name))) as TestPluginJson;
  edit(json);
  files.set(name, encoder.encode(JSON.stringify(json)));
}

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'simviz-validate-'));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

interface ZipOptions {
  top?: string;
  zipName?: string;
  packageVersion?: string;
  /** Modes on disk; by default what executableModes gives. */
  modes?: Map<string, number>;
}

/** Writes a real zip of `files` under one top folder (with the project's writer), reads it back and validates it. */
function validateFiles(
  files: Map<string, Uint8Array>,
  { top = ID, zipName = `${ID}-${VERSION}.zip`, packageVersion = VERSION, modes }: ZipOptions = {}
): CheckResult[] {
  const dir = mkdtempSync(path.join(tmp, 'zip-'));
  const file = path.join(dir, zipName);
  writeFileSync(file, zipFolder(top, files, { modes: modes ?? executableModes(files) }));
  return validateArchive({ zipName, archive: readZip(file), packageVersion });
}

/** The rules of the errors found, sorted and without repeats. */
function errorRules(results: CheckResult[]): string[] {
  return [
    ...new Set(results.flatMap((r) => r.problems.filter((p) => p.severity === 'error').map((p) => p.rule))),
  ].sort();
}

function messages(results: CheckResult[]): string {
  return formatResults(results).join('\n');
}

describe('validateArchive on real zips', () => {
  it('passes a good archive, with one ✓ line per check', () => {
    const results = validateFiles(goodFiles());
    expect(messages(results)).not.toContain('✗');
    expect(failed(results)).toBe(false);
    expect(results).toHaveLength(13);
    expect(formatResults(results).every((line) => line.startsWith('✓ '))).toBe(true);
    expect(formatResults(results)).toContain(`✓ backend executables: ${EXECUTABLE} (0755, ELF x86-64)`);
  });

  type Breakage = [string, (files: Map<string, Uint8Array>) => ZipOptions | void, string[]];

  const breakages: Breakage[] = [
    [
      'missing nested plugin.json',
      (files) => void files.delete('datasource/plugin.json'),
      // and the datasource's executable is left in the app, which has no backend
      ['backend-found-but-not-declared', 'nested-plugin-json-missing'],
    ],
    [
      'undeclared nested plugin',
      (files) =>
        editJson(
          files,
          'plugin.json',
          (json) => (json.includes = json.includes?.filter((i) => i.type !== 'datasource'))
        ),
      ['nested-plugins-not-declared'],
    ],
    [
      'wrong include type',
      (files) => editJson(files, 'plugin.json', (json) => (json.includes![0].type = 'panel')),
      ['nested-plugin-type-mismatch'],
    ],
    [
      'include without a type',
      (files) => editJson(files, 'plugin.json', (json) => delete json.includes![0].type),
      ['invalid-metadata', 'nested-plugin-missing-type'],
    ],
    [
      'leftover %VERSION%',
      (files) => editJson(files, 'datasource/plugin.json', (json) => (json.info.version = '%VERSION%')),
      ['placeholder-left', 'version-mismatch'],
    ],
    [
      'leftover %PLUGIN_ID% in the README',
      (files) => void files.set('README.md', encoder.encode('# SimViz\n\nOpen /a/%PLUGIN_ID%/.\n')),
      ['placeholder-left'],
    ],
    [
      "create-plugin's README template",
      (files) =>
        void files.set(
          'README.md',
          encoder.encode(
            '<!-- This README file is going to be the one displayed on the Grafana.com website for your plugin. -->\n# Simviz\n'
          )
        ),
      ['template-readme'],
    ],
    [
      'an old template README',
      (files) =>
        void files.set(
          'README.md',
          encoder.encode('# Grafana app plugin template\n\nThis template is a starting point for building an app.\n')
        ),
      ['template-readme'],
    ],
    [
      'relative link in the README',
      (files) => void files.set('README.md', encoder.encode('# SimViz\n\n![editor](docs/editor.png)\n')),
      ['readme-relative-link'],
    ],
    [
      "the scaffold's CHANGELOG",
      (files) =>
        void files.set('CHANGELOG.md', encoder.encode('# Changelog\n\n## 1.0.0 (Unreleased)\n\nInitial release.\n')),
      ['template-changelog'],
    ],
    ['missing CHANGELOG', (files) => void files.delete('CHANGELOG.md'), ['missing-changelog']],
    ['version mismatch with package.json', () => ({ packageVersion: '0.2.0' }), ['version-mismatch']],
    ['missing logo', (files) => void files.delete('datasource/img/logo.svg'), ['missing-asset']],
    ['missing screenshot', (files) => void files.delete('img/screenshot.png'), ['missing-asset']],
    ['missing dashboard', (files) => void files.delete('dashboards/overview.json'), ['missing-asset']],
    ['missing module.js', (files) => void files.delete('datasource/module.js'), ['missing-module-js']],
    ['missing module.js.map', (files) => void files.delete('module.js.map'), ['missing-js-map']],
    ['wrong top folder', () => ({ top: 'dist' }), ['archive-top-folder']],
    ['wrong zip name', () => ({ zipName: `${ID}.zip` }), ['archive-name']],
    ['missing LICENSE', (files) => void files.delete('LICENSE'), ['license-not-provided']],
    [
      'MIT licence',
      (files) =>
        void files.set('LICENSE', encoder.encode('MIT License\n\nPermission is hereby granted, free of charge')),
      ['license-not-provided'],
    ],
    [
      'id without its type suffix',
      (files) => editJson(files, 'datasource/plugin.json', (json) => (json.id = 'simviz-simulation-panel')),
      ['plugin-id-type-suffix'],
    ],
    [
      'schema: wrong type',
      (files) => editJson(files, 'datasource/plugin.json', (json) => (json.metrics = 'yes')),
      ['invalid-metadata'],
    ],
    [
      'different grafanaDependency in the nested plugin',
      (files) =>
        editJson(files, 'datasource/plugin.json', (json) => (json.dependencies.grafanaDependency = '>=11.0.0')),
      ['grafana-dependency'],
    ],
    [
      'no description',
      (files) => editJson(files, 'plugin.json', (json) => delete json.info.description),
      ['discoverability'],
    ],
    [
      'no keywords',
      (files) => editJson(files, 'plugin.json', (json) => (json.info.keywords = [])),
      ['discoverability', 'invalid-metadata'],
    ],
    [
      'backend without "executable"',
      (files) => editJson(files, 'datasource/plugin.json', (json) => delete json.executable),
      ['backend-binary-mission', 'backend-found-but-not-declared'],
    ],
    ['backend without its executable', (files) => void files.delete(EXECUTABLE), ['backend-binary-mission']],
    [
      'executable with the wrong suffix only',
      (files) => rename(files, EXECUTABLE, 'datasource/gpx_simviz_linux_x64'),
      ['backend-binary-mission', 'backend-binary-stray'],
    ],
    [
      'a Windows executable without .exe beside linux_amd64',
      (files) => void files.set('datasource/gpx_simviz_windows_amd64', fakeBinary('windows_amd64')),
      ['backend-binary-stray'],
    ],
    [
      'an unsuffixed copy of the executable',
      (files) => void files.set('datasource/gpx_simviz', fakeBinary('linux_amd64')),
      ['backend-binary-stray'],
    ],
    [
      'executable zipped 0644',
      (files) => ({ modes: new Map([...executableModes(files)].map(([name]) => [name, 0o100644])) }),
      ['binary-executable-permissions'],
    ],
    [
      'no linux_amd64 executable',
      (files) => {
        files.delete(EXECUTABLE);
        files.set('datasource/gpx_simviz_darwin_arm64', fakeBinary('darwin_arm64'));
        files.set('datasource/gpx_simviz_linux_arm64', fakeBinary('linux_arm64'));
      },
      ['backend-binary-not-linux-amd64'],
    ],
    [
      'an arm64 binary named linux_amd64',
      (files) => void files.set(EXECUTABLE, fakeBinary('linux_arm64')),
      ['backend-binary-not-linux-amd64'],
    ],
    [
      'a shell script named linux_amd64',
      (files) => void files.set(EXECUTABLE, encoder.encode('#!/bin/sh\nexec node main.js\n')),
      ['backend-binary-not-linux-amd64'],
    ],
    [
      'a Linux binary named darwin_amd64',
      (files) => void files.set('datasource/gpx_simviz_darwin_amd64', fakeBinary('linux_amd64')),
      ['backend-binary-platform-mismatch'],
    ],
    [
      'executable without backend: true',
      (files) =>
        editJson(files, 'datasource/plugin.json', (json) => {
          json.backend = false;
          delete json.alerting;
        }),
      ['backend-found-but-not-declared'],
    ],
    [
      'an executable in the app, which has no backend',
      (files) => void files.set('gpx_app_linux_amd64', fakeBinary('linux_amd64')),
      ['backend-found-but-not-declared'],
    ],
    [
      'an executable not named after "executable"',
      (files) => void files.set('datasource/gpx_other_linux_amd64', fakeBinary('linux_amd64')),
      ['backend-binary-stray'],
    ],
    [
      'alerting without backend',
      (files) => {
        files.delete(EXECUTABLE);
        editJson(files, 'datasource/plugin.json', (json) => {
          delete json.backend;
          delete json.executable;
        });
      },
      ['alerting-found-but-backend-false'],
    ],
    [
      "the SDK's standalone debug file",
      (files) => void files.set('datasource/standalone.txt', encoder.encode('true')),
      ['backend-debug-file-present'],
    ],
  ];

  it.each(breakages)('fails on %s', (_, breakIt, expected) => {
    const files = goodFiles();
    const options = breakIt(files) ?? {};
    const results = validateFiles(files, options);
    expect(failed(results)).toBe(true);
    expect(errorRules(results)).toEqual(expected);
  });

  it('says why an executable zipped 0644 fails, and how to fix it', () => {
    const files = goodFiles();
    const lines = formatResults(validateFiles(files, { modes: new Map() }));
    expect(lines).toContain(
      `✗ backend executables: ${ID}/${EXECUTABLE}: has mode 0644 (-rw-r--r--) in the zip but must be exactly 0755 (-rwxr-xr-x), or Grafana can't start it: \`chmod 755\` it in dist/ and run \`npm run package\` again [binary-executable-permissions]`
    );
  });

  it('says that linux/amd64 is our requirement when it is missing', () => {
    const files = goodFiles();
    rename(files, EXECUTABLE, 'datasource/gpx_simviz_linux_arm64');
    files.set('datasource/gpx_simviz_linux_arm64', fakeBinary('linux_arm64'));
    expect(messages(validateFiles(files))).toContain(
      `✗ backend executables: ${ID}/datasource/plugin.json: has no datasource/gpx_simviz_linux_amd64 (only linux_arm64): SimViz requires a linux/amd64 executable in every package`
    );
  });

  it('names the expected file and the platforms when the executable is missing or misnamed', () => {
    const files = goodFiles();
    rename(files, EXECUTABLE, 'datasource/gpx_simviz-linux-amd64');
    const text = messages(validateFiles(files));
    expect(text).toContain(
      `✗ backend executables: ${ID}/datasource/plugin.json: "backend" is true but there is no executable datasource/gpx_simviz_<os>_<arch> in the archive (for one of linux_amd64, linux_arm64, linux_arm, darwin_amd64, darwin_arm64, windows_amd64.exe)`
    );
    expect(text).toContain(
      `✗ backend executables: ${ID}/datasource/gpx_simviz-linux-amd64: is named after "executable" gpx_simviz but "-linux-amd64" is not a platform Grafana starts`
    );
  });

  it('says which plugin.json lacks "backend": true for a stray executable', () => {
    const files = goodFiles();
    files.set('gpx_app_linux_amd64', fakeBinary('linux_amd64'));
    expect(messages(validateFiles(files))).toContain(
      `✗ backend executables: ${ID}/gpx_app_linux_amd64: is named like a backend executable but plugin.json has no "backend": true`
    );
  });

  it('passes executables for every platform of the SDK, .exe ones whatever their mode', () => {
    const files = goodFiles();
    const platforms: Platform[] = ['linux_arm64', 'linux_arm', 'darwin_amd64', 'darwin_arm64'];
    for (const platform of platforms) {
      files.set(`datasource/gpx_simviz_${platform}`, fakeBinary(platform));
    }
    files.set('datasource/gpx_simviz_windows_amd64.exe', fakeBinary('windows_amd64'));
    const modes = executableModes(files);
    modes.set('datasource/gpx_simviz_windows_amd64.exe', 0o100644);
    const results = validateFiles(files, { modes });
    expect(messages(results)).not.toMatch(/[✗!] backend/);
    expect(results.find((r) => r.name === 'backend executables')?.summary).toBe(
      [
        `${EXECUTABLE} (0755, ELF x86-64)`,
        'datasource/gpx_simviz_linux_arm64 (0755, ELF AArch64)',
        'datasource/gpx_simviz_linux_arm (0755, ELF ARM)',
        'datasource/gpx_simviz_darwin_amd64 (0755, Mach-O x86-64)',
        'datasource/gpx_simviz_darwin_arm64 (0755, Mach-O arm64)',
        'datasource/gpx_simviz_windows_amd64.exe (PE x86-64)',
      ]
        .sort((a, b) => a.localeCompare(b))
        .join(', ')
    );
  });

  it('finds the executable in a sub-folder when "executable" is a path', () => {
    const files = goodFiles();
    rename(files, EXECUTABLE, 'datasource/bin/gpx_simviz_linux_amd64');
    editJson(files, 'datasource/plugin.json', (json) => (json.executable = 'bin/gpx_simviz'));
    expect(messages(validateFiles(files))).toContain(
      '✓ backend executables: datasource/bin/gpx_simviz_linux_amd64 (0755, ELF x86-64)'
    );
  });

  it('warns, without failing, that a linux_amd64 executable without Go build info fails the official validator', () => {
    const files = goodFiles();
    files.set(EXECUTABLE, fakeBinary('linux_amd64', { go: false }));
    const results = validateFiles(files);
    expect(failed(results)).toBe(false);
    expect(messages(results)).toContain(
      `! backend executables: ${ID}/${EXECUTABLE}: is an x86-64 ELF executable but not a Go binary (no Go build info): the official validator (backendbinary, since plugin-validator #642)`
    );
  });

  it('names the file and the problem in the ✗ line', () => {
    const files = goodFiles();
    editJson(files, 'plugin.json', (json) => (json.includes = json.includes?.filter((i) => i.type !== 'datasource')));
    files.delete('datasource/module.js');
    const lines = formatResults(validateFiles(files));
    expect(lines).toContain(
      `✗ nested plugins: ${ID}/plugin.json: datasource/plugin.json is in the archive but not declared in includes (add {"type": "datasource", "path": "datasource/plugin.json"}) [nested-plugins-not-declared]`
    );
    expect(lines).toContain(
      `✗ module.js: ${ID}/datasource/module.js: is missing: datasource/plugin.json has no module.js beside it [missing-module-js]`
    );
  });

  it('reports a schema error with the field path', () => {
    const files = goodFiles();
    editJson(files, 'datasource/plugin.json', (json) => (json.metrics = 'yes'));
    expect(messages(validateFiles(files))).toContain(
      `✗ plugin.json schema: ${ID}/datasource/plugin.json: metrics must be a boolean, not a string`
    );
  });

  it('warns, without failing, when the app has no screenshots', () => {
    const files = goodFiles();
    editJson(files, 'plugin.json', (json) => (json.info.screenshots = []));
    const results = validateFiles(files);
    expect(failed(results)).toBe(false);
    expect(messages(results)).toContain('! logos and screenshots');
  });

  it('stops after the layout check when the top folder has no plugin.json', () => {
    const files = goodFiles();
    files.delete('plugin.json');
    const results = validateFiles(files);
    expect(results.map((r) => r.name)).toEqual(['archive layout']);
    expect(errorRules(results)).toEqual(['archive-plugin-json']);
  });

  it('rejects files beside the top folder', () => {
    const entries = new Map<string, Uint8Array>();
    for (const [name, data] of goodFiles()) {
      entries.set(`${ID}/${name}`, data);
    }
    entries.set('README.md', encoder.encode('# stray'));
    const file = path.join(tmp, `${ID}-${VERSION}.zip`);
    writeFileSync(file, zipEntries(entries, { modes: executableModes(entries) }));
    const results = validateArchive({ zipName: path.basename(file), archive: readZip(file), packageVersion: VERSION });
    expect(errorRules(results)).toEqual(['archive-root-files']);
  });
});

describe('packageDist', () => {
  /** Writes `files` to a new dist/, executable (0755) or not (0644) as executableModes says. */
  function writeDist(files: Map<string, Uint8Array>, modes = executableModes(files)): string {
    const dist = mkdtempSync(path.join(tmp, 'dist-'));
    for (const [name, data] of files) {
      mkdirSync(path.dirname(path.join(dist, name)), { recursive: true });
      writeFileSync(path.join(dist, name), data);
      chmodSync(path.join(dist, name), (modes.get(name) ?? 0o644) & 0o777);
    }
    return dist;
  }

  it('zips dist/ into <id>-<version>.zip with one folder named after the plugin id, which validates', () => {
    const dist = writeDist(goodFiles());
    const out = mkdtempSync(path.join(tmp, 'out-'));
    const result = packageDist(dist, out);
    expect(path.basename(result.file)).toBe(`${ID}-${VERSION}.zip`);
    expect(result.files).toBe(goodFiles().size);
    const archive = readZip(result.file);
    expect(archive.names).toEqual(
      expect.arrayContaining([`${ID}/`, `${ID}/datasource/`, `${ID}/datasource/img/logo.svg`, `${ID}/plugin.json`])
    );
    expect(archive.names.every((name) => name.startsWith(`${ID}/`))).toBe(true);
    expect(archive.files.get(`${ID}/LICENSE`)).toEqual(new Uint8Array(LICENSE));
    const results = validateArchive({ zipName: path.basename(result.file), archive, packageVersion: VERSION });
    expect(messages(results)).not.toContain('✗');
  });

  it('keeps the executable 0755 (from a 0700 file too) and every other file 0644, through zip and back', () => {
    const files = goodFiles();
    const modes = executableModes(files);
    modes.set(EXECUTABLE, 0o100700);
    const dist = writeDist(files, modes);
    const result = packageDist(dist, mkdtempSync(path.join(tmp, 'out-')));
    expect(result.executables).toEqual([EXECUTABLE]);
    const archive = readZip(result.file);
    expect(archive.modes.get(`${ID}/${EXECUTABLE}`)).toBe(0o100755);
    expect(archive.modes.get(`${ID}/datasource/`)).toBe(0o040755);
    const others = [...archive.modes].filter(([name]) => !name.endsWith('/') && name !== `${ID}/${EXECUTABLE}`);
    expect(others.length).toBe(files.size - 1);
    expect(others.every(([, mode]) => mode === 0o100644)).toBe(true);
    expect(archive.files.get(`${ID}/${EXECUTABLE}`)).toEqual(files.get(EXECUTABLE));
    expect(failed(validateArchive({ zipName: path.basename(result.file), archive, packageVersion: VERSION }))).toBe(
      false
    );
    if (spawnSync('zipinfo', ['-v'], { stdio: 'ignore' }).error === undefined) {
      const listing = execFileSync('zipinfo', [result.file, `${ID}/${EXECUTABLE}`], { encoding: 'utf8' });
      expect(listing).toMatch(/^-rwxr-xr-x/);
    }
  });

  it('fails validation when the executable was not executable in dist/', () => {
    const files = goodFiles();
    const dist = writeDist(files, new Map());
    const result = packageDist(dist, mkdtempSync(path.join(tmp, 'out-')));
    expect(result.executables).toEqual([]);
    const archive = readZip(result.file);
    expect(archive.modes.get(`${ID}/${EXECUTABLE}`)).toBe(0o100644);
    const results = validateArchive({ zipName: path.basename(result.file), archive, packageVersion: VERSION });
    expect(errorRules(results)).toEqual(['binary-executable-permissions']);
  });

  it('refuses a dist/ without a build', () => {
    const empty = mkdtempSync(path.join(tmp, 'empty-'));
    expect(() => builtPlugin(empty)).toThrow(PackageError);
    expect(() => builtPlugin(empty)).toThrow(/npm run build/);
  });

  it('refuses a dist/ whose plugin.json still has %VERSION%', () => {
    const files = goodFiles();
    editJson(files, 'plugin.json', (json) => (json.info.version = '%VERSION%'));
    expect(() => builtPlugin(writeDist(files))).toThrow(/not a version/);
  });
});

describe('binaryFormat', () => {
  it.each<[Platform, string]>([
    ['linux_amd64', 'ELF x86-64'],
    ['linux_arm64', 'ELF AArch64'],
    ['linux_arm', 'ELF ARM'],
    ['darwin_amd64', 'Mach-O x86-64'],
    ['darwin_arm64', 'Mach-O arm64'],
    ['windows_amd64', 'PE x86-64'],
  ])('reads the platform of a %s header', (platform, description) => {
    const [os, arch] = platform.split('_');
    expect(binaryFormat(fakeBinary(platform))).toEqual({ os, arch, description });
  });

  it('tells what a file is when it is not an executable', () => {
    expect(binaryFormat(encoder.encode('#!/usr/bin/env node\n'))).toEqual({
      unknown: 'a script (#!), not a compiled executable',
    });
    expect(binaryFormat(encoder.encode('hello'))).toEqual({ unknown: 'not an ELF, Mach-O or PE executable' });
    expect(binaryFormat(new Uint8Array(0))).toEqual({ unknown: 'not an ELF, Mach-O or PE executable' });
  });

  it('finds Go build info', () => {
    expect(hasGoBuildInfo(fakeBinary('linux_amd64'))).toBe(true);
    expect(hasGoBuildInfo(fakeBinary('linux_amd64', { go: false }))).toBe(false);
  });
});

describe('checkShape', () => {
  it('accepts the app and datasource plugin.json of this repository', () => {
    for (const file of ['src/plugin.json', 'src/datasource/plugin.json']) {
      const json: unknown = JSON.parse(readFileSync(path.resolve(__dirname, '../..', file), 'utf8'));
      expect(checkPluginJson(json)).toEqual([]);
    }
  });

  it('reports missing required fields, unknown fields, bad enums and patterns by path', () => {
    const json = { ...appJson(), type: 'widget', id: 'SimViz', extra: 1, info: { ...appJson().info, version: 'v1' } };
    delete (json as Partial<TestPluginJson>).dependencies;
    const where = checkPluginJson(json).map((e) => e.where);
    expect(where).toEqual(expect.arrayContaining(['dependencies', 'extra', 'type', 'id', 'info.version']));
  });

  it('checks nested arrays and objects', () => {
    const errors = checkShape(
      { routes: [{ path: 'x', headers: [{ name: 'A' }] }] },
      {
        kind: 'object',
        properties: {
          routes: {
            kind: 'array',
            items: {
              kind: 'object',
              properties: {
                path: { kind: 'string' },
                headers: {
                  kind: 'array',
                  items: {
                    kind: 'object',
                    properties: { name: { kind: 'string' }, content: { kind: 'string' } },
                    required: ['name', 'content'],
                  },
                },
              },
            },
          },
        },
      }
    );
    expect(errors).toEqual([{ where: 'routes[0].headers[0].content', message: 'is required' }]);
  });
});
