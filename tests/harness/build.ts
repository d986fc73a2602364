/** Bundles the harness host (Grafana's shared modules + stand-in services) with esbuild. */
import { build } from 'esbuild';
import path from 'node:path';

export const HOST_DIR = path.resolve(__dirname, 'host');
export const HOST_BUNDLE = path.resolve(__dirname, 'out/host.js');

export async function buildHost(): Promise<void> {
  await build({
    entryPoints: [path.join(HOST_DIR, 'main.tsx')],
    outfile: HOST_BUNDLE,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    sourcemap: 'linked',
    // Identifiers stay, so stacks and React's component names read as written; the smaller file loads faster per test.
    minifyWhitespace: true,
    minifySyntax: true,
    jsx: 'transform',
    define: { 'process.env.NODE_ENV': '"development"', global: 'window' },
    logLevel: 'warning',
    // systemjs declares "type": "script", which esbuild warns about but handles.
    logOverride: { 'package.json': 'silent' },
    loader: { '.svg': 'text', '.woff2': 'empty', '.woff': 'empty', '.ttf': 'empty' },
  });
}

if (require.main === module) {
  const started = Date.now();
  buildHost().then(
    () => console.log(`built ${path.relative(process.cwd(), HOST_BUNDLE)} in ${Date.now() - started} ms`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    }
  );
}
