/**
 * Bundles the proxy into one self-contained file, build/proxy/simviz-proxy.js, which runs with a
 * plain `node` (the docker-compose proxy service and the `simviz-proxy` command use it).
 */
import { build } from 'esbuild';
import path from 'node:path';

export const PROXY_BUNDLE = path.resolve(__dirname, '../build/proxy/simviz-proxy.js');

export async function buildProxy(outfile = PROXY_BUNDLE): Promise<string> {
  await build({
    entryPoints: [path.resolve(__dirname, '../src/proxy/cli.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
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
