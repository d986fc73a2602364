/**
 * Bundles the proxy into one self-contained file, build/proxy/simviz-proxy.js, which runs with a
 * plain `node` (the docker-compose proxy service and the `simviz-proxy` command use it). The
 * licences of every bundled package go beside it in THIRD_PARTY_LICENSES.txt.
 */
import { build, type Metafile } from 'esbuild';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { hdf5WorkerBundle } from '../src/engine/decoder/hdf5/worker-source';

const REPO = path.resolve(__dirname, '..');
export const PROXY_BUNDLE = path.join(REPO, 'build/proxy/simviz-proxy.js');

/** The package folders (node_modules/<name> or node_modules/@scope/<name>) the bundle took code from. */
function bundledPackages(metafile: Metafile): string[] {
  const folders = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) {
      folders.add(path.resolve(REPO, match[1]));
    }
  }
  return [...folders].sort();
}

function licenceText(folder: string): string {
  const file = readdirSync(folder).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  return file ? readFileSync(path.join(folder, file), 'utf8').trim() : '(no licence file in the package; see its package.json)';
}

function writeThirdPartyLicences(metafile: Metafile, outfile: string): void {
  const sections = bundledPackages(metafile)
    .filter((folder) => existsSync(path.join(folder, 'package.json')))
    .map((folder) => {
      const meta = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
      return `${meta.name}@${meta.version} (${meta.license ?? 'unknown licence'})\n\n${licenceText(folder)}`;
    });
  const header = 'SimViz proxy bundle: third-party packages included in simviz-proxy.js and their licences.\n';
  writeFileSync(path.join(path.dirname(outfile), 'THIRD_PARTY_LICENSES.txt'), `${header}\n${sections.join(`\n\n${'='.repeat(78)}\n\n`)}\n`);
}

export async function buildProxy(outfile = PROXY_BUNDLE): Promise<string> {
  // The HDF5 worker (h5wasm and its WebAssembly) is embedded as a string the proxy starts a worker thread from.
  const hdf5Worker = await hdf5WorkerBundle();
  const result = await build({
    entryPoints: [path.join(REPO, 'src/proxy/cli.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    define: hdf5Worker.define,
  });
  const inputs = { ...result.metafile.inputs, ...hdf5Worker.metafile.inputs };
  writeThirdPartyLicences({ ...result.metafile, inputs }, outfile);
  return outfile;
}

if (require.main === module) {
  buildProxy().then(
    (file) => console.log(`built ${path.relative(process.cwd(), file)}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    }
  );
}
