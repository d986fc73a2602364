/**
 * `npm run test:breakages`: proof that the browser harness catches what only breaks in the built
 * plugin. Each case builds or copies dist/ into a temporary folder, breaks it the way a real
 * mistake would, and runs one harness flow against it; the case passes when that flow FAILS.
 *
 *   - react bundled into the plugin instead of taken from Grafana (an external lost from the
 *     webpack config): two Reacts, and hooks fail at run time;
 *   - dist/datasource/plugin.json missing (a copy pattern lost): Grafana cannot load the datasource;
 *   - the backend executable missing from dist/datasource (a build step lost): Grafana cannot start
 *     the datasource's backend, so no query is answered.
 *
 * Needs a current `npm run build`. Prints one line per case and exits non-zero if any breakage
 * went unnoticed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import webpack, { type Configuration } from 'webpack';

import { executablePath } from './build-backend';

const REPO = path.resolve(__dirname, '..');
const DIST = path.join(REPO, 'dist');
/** A flow that loads both plugins and queries through the backend. */
const FLOW = { spec: 'tests/browser/queryEditor.spec.ts', title: 'pick a simulation and variables, then see the right values and units' };

interface Breakage {
  name: string;
  /** Fills `dir` with a broken build. */
  make(dir: string): Promise<void>;
}

function copyDist(dir: string): void {
  cpSync(DIST, dir, { recursive: true });
}

type ConfigFactory = (env: Record<string, unknown>) => Promise<Configuration>;

/** The project's own webpack config, loaded at run time (its .config/ imports are not type-checked here). */
async function projectWebpackConfig(): Promise<Configuration> {
  const module = (await import(path.join(REPO, 'webpack.config.ts'))) as { default: ConfigFactory | { default: ConfigFactory } };
  const factory = typeof module.default === 'function' ? module.default : module.default.default;
  return factory({ production: true });
}

async function buildWithReactBundled(dir: string): Promise<void> {
  const config = await projectWebpackConfig();
  const externals = (config.externals as unknown[]).filter((item) => item !== 'react');
  const broken: Configuration = { ...config, externals: externals as Configuration['externals'], output: { ...config.output, path: dir } };
  await new Promise<void>((resolve, reject) =>
    webpack(broken, (error, stats) => (error || stats?.hasErrors() ? reject(error ?? new Error(stats?.toString('errors-only'))) : resolve()))
  );
}


const BREAKAGES: Breakage[] = [
  { name: 'react bundled a second time', make: buildWithReactBundled },
  {
    name: 'dist/datasource/plugin.json missing',
    make: async (dir) => {
      copyDist(dir);
      rmSync(path.join(dir, 'datasource/plugin.json'));
    },
  },
  {
    name: 'backend executable missing',
    make: async (dir) => {
      copyDist(dir);
      rmSync(executablePath(dir));
    },
  },
];

/** Runs the flow against `dir`; returns its exit status and the lines that say why it failed. */
function runFlow(dir: string): { status: number | null; reason: string } {
  const result = spawnSync('npx', ['playwright', 'test', '-c', 'playwright.harness.config.ts', FLOW.spec, '-g', FLOW.title, '--reporter=line'], {
    cwd: REPO,
    env: { ...process.env, SIMVIZ_HARNESS_PLUGIN_DIR: dir },
    encoding: 'utf8',
  });
  const output = `${result.stdout}\n${result.stderr}`;
  const reason = output
    .split('\n')
    .filter((line) => /Error|error|has no plugin.json|Invalid hook|problems|Received/.test(line))
    .slice(0, 3)
    .map((line) => line.trim())
    .join(' | ');
  return { status: result.status, reason };
}

async function main(): Promise<void> {
  let unnoticed = 0;
  const control = runFlow(DIST);
  console.log(`${control.status === 0 ? '✓' : '✗'} control: the intact build passes the flow`);
  if (control.status !== 0) {
    unnoticed++;
  }
  for (const breakage of BREAKAGES) {
    const dir = mkdtempSync(path.join(tmpdir(), 'simviz-broken-'));
    try {
      await breakage.make(dir);
      const { status, reason } = runFlow(dir);
      const caught = status !== 0;
      unnoticed += caught ? 0 : 1;
      console.log(`${caught ? '✓' : '✗'} ${breakage.name}: ${caught ? `the flow fails (${reason.slice(0, 300)})` : 'the flow still passes'}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(unnoticed === 0 ? 'every breakage was caught' : `${unnoticed} case(s) went wrong`);
  process.exit(unnoticed === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
