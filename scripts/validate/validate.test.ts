import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { builtPlugin, PackageError, packageDist, readZip, zipEntries, zipFolder } from './archive';
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
  const files = new Map(Object.entries(text).map(([name, content]) => [name, encoder.encode(content)]));
  files.set('LICENSE', LICENSE);
  return files;
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
}

/** Writes a real zip of `files` under one top folder, reads it back and validates it. */
function validateFiles(
  files: Map<string, Uint8Array>,
  { top = ID, zipName = `${ID}-${VERSION}.zip`, packageVersion = VERSION }: ZipOptions = {}
): CheckResult[] {
  const dir = mkdtempSync(path.join(tmp, 'zip-'));
  const file = path.join(dir, zipName);
  writeFileSync(file, zipFolder(top, files));
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
    expect(results).toHaveLength(12);
    expect(formatResults(results).every((line) => line.startsWith('✓ '))).toBe(true);
  });

  type Breakage = [string, (files: Map<string, Uint8Array>) => ZipOptions | void, string[]];

  const breakages: Breakage[] = [
    [
      'missing nested plugin.json',
      (files) => void files.delete('datasource/plugin.json'),
      ['nested-plugin-json-missing'],
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
  ];

  it.each(breakages)('fails on %s', (_, breakIt, expected) => {
    const files = goodFiles();
    const options = breakIt(files) ?? {};
    const results = validateFiles(files, options);
    expect(failed(results)).toBe(true);
    expect(errorRules(results)).toEqual(expected);
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
    writeFileSync(file, zipEntries(entries));
    const results = validateArchive({ zipName: path.basename(file), archive: readZip(file), packageVersion: VERSION });
    expect(errorRules(results)).toEqual(['archive-root-files']);
  });
});

describe('packageDist', () => {
  function writeDist(files: Map<string, Uint8Array>): string {
    const dist = mkdtempSync(path.join(tmp, 'dist-'));
    for (const [name, data] of files) {
      mkdirSync(path.dirname(path.join(dist, name)), { recursive: true });
      writeFileSync(path.join(dist, name), data);
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
