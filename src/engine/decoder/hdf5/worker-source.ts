/**
 * The HDF5 worker as one self-contained CommonJS source string (h5wasm and its WebAssembly
 * included). The proxy bundle gets it at build time through an esbuild `define`; running from
 * source (tsx, jest) it is bundled on first use with esbuild, a development dependency.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Replaced by scripts/build-proxy.ts with the bundled worker; undeclared at run time otherwise. */
declare const SIMVIZ_HDF5_WORKER_SOURCE: string | undefined;

export const HDF5_WORKER_DEFINE = 'SIMVIZ_HDF5_WORKER_SOURCE';

const WORKER_ENTRY = path.join(__dirname, 'worker.ts');

// h5wasm's Node build is an ES module that calls createRequire(import.meta.url); bundled as
// CommonJS import.meta is empty, so it gets a file URL instead (only used to require built-ins).
const IMPORT_META_URL = '__simvizHdf5ImportMetaUrl';
const BANNER = `var ${IMPORT_META_URL} = require('node:url').pathToFileURL(require('node:path').join(process.cwd(), 'simviz-hdf5-worker.js')).href;`;

type Esbuild = typeof import('esbuild');
type Metafile = import('esbuild').Metafile;

export interface Hdf5WorkerBuild {
  /** The bundled worker, self-contained CommonJS. */
  source: string;
  /** What went into it, for the third-party licence list. */
  metafile: Metafile;
}

async function loadEsbuild(): Promise<Esbuild> {
  // A computed specifier keeps esbuild from bundling itself into the proxy bundle.
  const specifier = 'esbuild';
  let loaded: Esbuild & { default?: Esbuild };
  try {
    loaded = (await import(specifier)) as Esbuild & { default?: Esbuild };
  } catch {
    throw new Error('esbuild, which bundles the HDF5 worker when running from source, is not installed');
  }
  return typeof loaded.build === 'function' ? loaded : loaded.default!;
}

export async function buildHdf5Worker(): Promise<Hdf5WorkerBuild> {
  if (!existsSync(WORKER_ENTRY)) {
    throw new Error('the HDF5 worker was not embedded when this proxy was bundled');
  }
  const esbuild = await loadEsbuild();
  const result = await esbuild.build({
    entryPoints: [WORKER_ENTRY],
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    define: { 'import.meta.url': IMPORT_META_URL },
    banner: { js: BANNER },
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
  });
  return { source: result.outputFiles[0].text, metafile: result.metafile };
}

/**
 * For scripts/build-proxy.ts: `define` goes into the proxy bundle's esbuild options (it embeds
 * the worker), `metafile` lists the packages the worker bundles (h5wasm) for the licence file.
 */
export async function hdf5WorkerBundle(): Promise<{ define: Record<string, string>; metafile: Metafile }> {
  const { source, metafile } = await buildHdf5Worker();
  return { define: { [HDF5_WORKER_DEFINE]: JSON.stringify(source) }, metafile };
}

let building: Promise<string> | undefined;

export function hdf5WorkerSource(): Promise<string> {
  if (typeof SIMVIZ_HDF5_WORKER_SOURCE === 'string') {
    return Promise.resolve(SIMVIZ_HDF5_WORKER_SOURCE);
  }
  if (!building) {
    building = buildHdf5Worker().then((built) => built.source);
    // A failed build is retried on the next use rather than remembered.
    building.catch(() => (building = undefined));
  }
  return building;
}
