/**
 * Builds the backend datasource executable Grafana starts: src/backend/main.ts bundled by esbuild
 * into one CommonJS file (build/backend/simviz-backend.js, which also runs with a plain `node`),
 * then made a Node single executable application, dist/datasource/gpx_simviz_<os>_<arch>, which
 * needs no Node.js on the Grafana host. A SEA is built from the Node that runs this script, so it
 * is for this machine's platform (linux/amd64 in CI); see the README for the others.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { build } from 'esbuild';

import { hdf5WorkerBundle } from '../src/engine/decoder/hdf5/worker-source';

const REPO = path.resolve(__dirname, '..');
export const BACKEND_BUNDLE = path.join(REPO, 'build/backend/simviz-backend.js');
/** plugin.json's `executable`; Grafana appends `_<os>_<arch>`. */
export const EXECUTABLE = 'gpx_simviz';
/** Node's fuse for single executable applications (node --experimental-sea-config's documentation). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/** Grafana's platform suffix (Go's GOOS_GOARCH) for this machine. */
export function platformSuffix(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const goos = platform === 'win32' ? 'windows' : platform;
  return `${goos}_${GO_ARCH[arch] ?? arch}`;
}

export function executablePath(dist = path.join(REPO, 'dist')): string {
  const suffix = platformSuffix();
  return path.join(dist, 'datasource', `${EXECUTABLE}_${suffix}${process.platform === 'win32' ? '.exe' : ''}`);
}

export async function bundleBackend(outfile = BACKEND_BUNDLE): Promise<string> {
  const hdf5Worker = await hdf5WorkerBundle();
  await build({
    entryPoints: [path.join(REPO, 'src/backend/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    define: hdf5Worker.define,
  });
  return outfile;
}

function makeExecutable(bundle: string, output: string): void {
  const work = path.dirname(bundle);
  const blob = path.join(work, 'sea-prep.blob');
  const config = path.join(work, 'sea-config.json');
  writeFileSync(config, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true }));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  mkdirSync(path.dirname(output), { recursive: true });
  rmSync(output, { force: true });
  copyFileSync(process.execPath, output);
  chmodSync(output, 0o755);
  const postject = require.resolve('postject/dist/cli.js');
  // postject warns "Can't find string offset for section name" on Linux; that is harmless.
  execFileSync(process.execPath, [postject, output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function buildBackend(): Promise<string> {
  const bundle = await bundleBackend();
  const output = executablePath();
  makeExecutable(bundle, output);
  return output;
}

if (require.main === module) {
  buildBackend().then(
    (file) => console.log(`built ${path.relative(process.cwd(), file)}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    }
  );
}
