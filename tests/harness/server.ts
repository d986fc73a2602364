/**
 * The browser harness server: a Grafana stand-in serving the built plugin from dist/, with the real
 * datasource backend behind it (started as Grafana starts it, called over gRPC), and a real SimViz
 * proxy process on example results and the real fixtures for the proxy-mode datasources. The
 * folder-mode datasource reads the same example folder itself.
 *
 *   npx tsx tests/harness/server.ts [--port 18801] [--plugin-dir dist] [--no-build]
 *
 * The `simviz-live` datasource reads a folder of its own, empty at start, where specs write runs
 * that grow as a solver writes them (tests/browser/live.spec.ts).
 *
 * Once ready it prints one JSON line: {"harness": URL, "proxy": URL, "examples": folder, "live": folder}. Unit tests
 * start it with `--plugin-dir src --no-build --port 0` to run the datasource through the stand-in.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { generateExamples } from '../../src/proxy/examples/generate';
import { buildHost } from './build';
import { HARNESS_API_KEY, HARNESS_PORT, HARNESS_WRITE_KEY } from './constants';
import { BackendClient } from './backend/client';
import { executablePath } from '../../scripts/build-backend';
import { startBackendProcess } from './backend/process';
import { GrafanaStandIn, type DatasourceSettings } from './grafanaStandIn';
import { startProxyProcess } from './proxyProcess';

const REPO = path.resolve(__dirname, '../..');

function datasource(id: number, uid: string, jsonData: Record<string, unknown>, secureJsonData: Record<string, string> = {}): DatasourceSettings {
  return {
    id,
    uid,
    name: uid === 'simviz' ? 'SimViz' : `SimViz (${uid})`,
    type: 'simviz-simulation-datasource',
    access: 'proxy',
    url: `/api/datasources/proxy/uid/${uid}`,
    jsonData,
    secureJsonData,
  };
}

function proxyDatasource(id: number, uid: string, proxyUrl: string, apiKey: string): DatasourceSettings {
  return datasource(id, uid, { mode: 'proxy', proxyUrl }, { apiKey });
}

/** Grafana's fonts (same faces from @fontsource) and the icons that only Grafana itself ships (the spinner; the dot of streaming panels and *live* badges). */
function grafanaPublicFiles(): Record<string, string> {
  const inter = path.join(REPO, 'node_modules/@fontsource/inter/files');
  const mono = path.join(REPO, 'node_modules/@fontsource/roboto-mono/files');
  return {
    '/public/fonts/inter/Inter-Regular.woff2': path.join(inter, 'inter-latin-400-normal.woff2'),
    '/public/fonts/inter/Inter-Italic.woff2': path.join(inter, 'inter-latin-400-italic.woff2'),
    '/public/fonts/inter/Inter-Medium.woff2': path.join(inter, 'inter-latin-500-normal.woff2'),
    '/public/fonts/inter/Inter-MediumItalic.woff2': path.join(inter, 'inter-latin-500-italic.woff2'),
    '/public/fonts/roboto/L0xTDF4xlVMF-BfR8bXMIhJHg45mwgGEFl0_3vrtSM1J-gEPT5Ese6hmHSh0mQ.woff2': path.join(mono, 'roboto-mono-latin-400-normal.woff2'),
    '/public/build/img/icons/unicons/spinner.svg': path.join(__dirname, 'assets/spinner.svg'),
    '/public/build/img/icons/mono/circle-mono.svg': path.join(__dirname, 'assets/circle-mono.svg'),
  };
}

/**
 * A built plugin's backend is its own executable, as Grafana starts it; a build without one fails
 * here as it would fail in Grafana. The sources (`--plugin-dir src`, for jest) run from source.
 */
function builtExecutable(distDir: string, pluginDir: string): string | undefined {
  if (pluginDir === 'src') {
    return undefined;
  }
  const executable = executablePath(distDir);
  if (!existsSync(executable)) {
    throw new Error(`${executable} is missing: Grafana could not start the datasource's backend (run "npm run build")`);
  }
  return executable;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(HARNESS_PORT) },
      'plugin-dir': { type: 'string', default: 'dist' },
      'no-build': { type: 'boolean' },
    },
  });
  const distDir = path.resolve(REPO, values['plugin-dir']);
  if (!existsSync(path.join(distDir, 'plugin.json')) || !existsSync(path.join(distDir, 'datasource/plugin.json'))) {
    throw new Error(`${distDir} has no plugin.json files: run "npm run build" first`);
  }
  if (!values['no-build']) {
    await buildHost();
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'simviz-harness-'));
  await generateExamples(path.join(dataDir, 'examples'));
  const fixtures = process.env.SIMVIZ_FIXTURES ?? path.resolve(REPO, '../shared/fixtures/real');
  const roots = [`examples=${path.join(dataDir, 'examples')}`, `real=${fixtures}`];
  const liveDir = path.join(dataDir, 'live');
  mkdirSync(liveDir);
  const proxy = await startProxyProcess([...roots.flatMap((root) => ['--data', root]), '--api-key', HARNESS_API_KEY]);
  // Uploads go to a proxy of their own, so the catalog the other flows count stays as generated.
  const uploadProxy = await startProxyProcess(['--upload-dir', path.join(dataDir, 'uploads'), '--write-api-key', HARNESS_WRITE_KEY, '--api-key', HARNESS_API_KEY]);
  const backendProcess = await startBackendProcess(builtExecutable(distDir, values['plugin-dir']));
  const backend = new BackendClient(backendProcess.address);

  const standIn = new GrafanaStandIn({
    distDir,
    hostDir: __dirname,
    iconsDir: path.join(REPO, 'node_modules/@grafana/ui/dist/public/img/icons'),
    publicFiles: grafanaPublicFiles(),
    appJsonData: { datasourceUid: 'simviz' },
    backend,
    datasources: [
      proxyDatasource(1, 'simviz', proxy.url, HARNESS_API_KEY),
      proxyDatasource(2, 'simviz-wrong-key', proxy.url, 'not-the-key'),
      proxyDatasource(3, 'simviz-unreachable', 'http://127.0.0.1:9', HARNESS_API_KEY),
      proxyDatasource(4, 'simviz-uploads', uploadProxy.url, HARNESS_WRITE_KEY),
      proxyDatasource(5, 'simviz-uploads-read-only', uploadProxy.url, HARNESS_API_KEY),
      // The examples the proxy serves, read by the backend itself; named as the proxy names them, so the ids agree.
      datasource(6, 'simviz-folder', { mode: 'folder', folder: roots[0], cacheFolder: path.join(dataDir, 'folder-cache') }),
      // Runs still being written, for the live view; a folder of its own, so the other flows' catalogs stay as generated.
      datasource(7, 'simviz-live', { mode: 'folder', folder: `live=${liveDir}`, cacheFolder: path.join(dataDir, 'live-cache') }),
    ],
  });
  const server = createServer((req, res) => {
    standIn.handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(error) }));
    });
  });
  server.listen(Number(values.port), '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : Number(values.port);
    console.log(JSON.stringify({ harness: `http://127.0.0.1:${port}`, proxy: proxy.url, examples: path.join(dataDir, 'examples'), live: liveDir }));
  });
  const stop = () => {
    proxy.child.kill('SIGTERM');
    uploadProxy.child.kill('SIGTERM');
    standIn.live.close();
    backend.close();
    server.close();
    // The backend's folder instance writes its cache below dataDir: remove that once it has exited.
    void backendProcess.stop().finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
